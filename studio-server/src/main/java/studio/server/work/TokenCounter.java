package studio.server.work;

import java.nio.file.Path;
import java.util.Map;
import studio.diffusion.text.Prompts;

/**
 * Token counts per text encoder for the live counter of the prompt editor: for each encoder the text it is given
 * (prompt, prompt_2 or prompt_3), its tokens, the capacity and the exact text it would drop ({@code droppedFrom}:
 * the character index in that text where the dropped part starts). Tokenizers only, no model: safe on an HTTP
 * thread, fast enough per keystroke.
 */
public interface TokenCounter extends AutoCloseable {
    /**
     * Counts as the pipeline encodes: {@code negative} non-null means classifier-free guidance, where the negative
     * and the positive texts are encoded as one batch and share the CLIP chunk count. Returns {@code prompt} (and
     * {@code negative}) objects with {@code encoders} lists.
     */
    Map<String, Object> count(Path modelDir, Prompts prompt, Prompts negative, int t5Length) throws Exception;

    @Override
    default void close() {}
}
