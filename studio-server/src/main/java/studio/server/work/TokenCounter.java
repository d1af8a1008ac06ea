package studio.server.work;

import java.nio.file.Path;
import java.util.Map;

/**
 * Token counts per text encoder for the live counter of the prompt editor: for each encoder the tokens, the
 * capacity at this T5 length and the exact text it would drop ({@code droppedFrom}: the character index where the
 * dropped part starts). Tokenizers only, no model: safe on an HTTP thread, fast enough per keystroke.
 */
public interface TokenCounter extends AutoCloseable {
    Map<String, Object> count(Path modelDir, String prompt, int t5Length) throws Exception;

    @Override
    default void close() {}
}
