package studio.server.work;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.diffusion.text.ClipTokenizer;
import studio.diffusion.text.T5Tokenizer;
import studio.diffusion.text.TokenizedText;

/**
 * Live token counts from a model folder's tokenizers ({@code tokenizer/}, {@code tokenizer_2/},
 * {@code tokenizer_3/}), by the rule of {@code studio.diffusion.text.PromptEncoder}: CLIP-L and CLIP-G read up to
 * {@link #CLIP_MAX_CHUNKS} chunks of 75 tokens, T5 keeps t5Length − 1 tokens. The tokenizers of the last model
 * asked for stay loaded. Thread-safe (one counting at a time; a count takes well under a millisecond).
 */
public final class TokenizerCounter implements TokenCounter {
    /** PromptEncoder's default ({@code TextOptions.defaults().clipMaxChunks()}). */
    static final int CLIP_MAX_CHUNKS = 4;

    private Path loaded;
    private ClipTokenizer clipL;
    private ClipTokenizer clipG;
    private T5Tokenizer t5;

    @Override
    public synchronized Map<String, Object> count(Path modelDir, String prompt, int t5Length) throws IOException {
        load(modelDir);
        TokenizedText l = clipL.encode(prompt);
        TokenizedText g = clipG.encode(prompt);
        int chunks = Math.min(CLIP_MAX_CHUNKS, Math.max(ClipTokenizer.chunksFor(l.size()), ClipTokenizer.chunksFor(g.size())));
        List<Map<String, Object>> encoders = new ArrayList<>();
        encoders.add(entry("clip_l", l, chunks * ClipTokenizer.CHUNK_TOKENS, chunks));
        encoders.add(entry("clip_g", g, chunks * ClipTokenizer.CHUNK_TOKENS, chunks));
        if (t5 != null) {
            encoders.add(entry("t5", t5.encode(prompt), t5Length - 1, 1));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", prompt);
        m.put("t5Length", t5Length);
        m.put("encoders", encoders);
        return m;
    }

    private static Map<String, Object> entry(String name, TokenizedText t, int capacity, int chunks) {
        int kept = Math.min(t.size(), capacity);
        int from = kept < t.size() ? t.starts()[kept] : t.prompt().length();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("encoder", name);
        m.put("tokens", t.size());
        m.put("kept", kept);
        m.put("capacity", capacity);
        m.put("chunks", chunks);
        m.put("droppedFrom", from);
        m.put("dropped", t.textFrom(kept));
        return m;
    }

    private void load(Path modelDir) throws IOException {
        if (modelDir.equals(loaded)) {
            return;
        }
        closeTokenizers();
        for (String folder : new String[] {"tokenizer", "tokenizer_2"}) {
            if (!Files.isDirectory(modelDir.resolve(folder))) {
                throw new studio.core.BadInputException("model", "has no " + folder + "/ folder: no token counts");
            }
        }
        clipL = ClipTokenizer.load(modelDir.resolve("tokenizer"));
        clipG = ClipTokenizer.load(modelDir.resolve("tokenizer_2"));
        t5 = Files.isDirectory(modelDir.resolve("tokenizer_3")) ? T5Tokenizer.load(modelDir.resolve("tokenizer_3")) : null;
        loaded = modelDir;
    }

    private void closeTokenizers() {
        if (t5 != null) {
            t5.close();
        }
        clipL = null;
        clipG = null;
        t5 = null;
        loaded = null;
    }

    @Override
    public synchronized void close() {
        closeTokenizers();
    }
}
