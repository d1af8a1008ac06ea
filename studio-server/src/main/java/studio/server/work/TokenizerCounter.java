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
import studio.diffusion.text.PromptEncoder;
import studio.diffusion.text.Prompts;
import studio.diffusion.text.TextOptions;
import studio.diffusion.text.TokenReport;

/**
 * Live token counts from a model folder's tokenizers ({@code tokenizer/}, {@code tokenizer_2/},
 * {@code tokenizer_3/}) by the pipeline's own rule, {@link PromptEncoder#reports} (not a copy of it), with the
 * pipeline's default options and this request's T5 length. The tokenizers of the last model asked for stay loaded.
 * Thread-safe (one counting at a time; a count takes well under a millisecond).
 */
public final class TokenizerCounter implements TokenCounter {
    private Path loaded;
    private ClipTokenizer clipL;
    private ClipTokenizer clipG;
    private T5Tokenizer t5;

    @Override
    public synchronized Map<String, Object> count(Path modelDir, Prompts prompt, Prompts negative, int t5Length)
            throws IOException {
        load(modelDir);
        TextOptions options = TextOptions.defaults().withT5Length(t5Length);
        // As TextToImage.encode: [negative, positive] in one batch under CFG, the positive alone otherwise.
        List<Prompts> batch = negative != null ? List.of(negative, prompt) : List.of(prompt);
        List<TokenReport> reports = PromptEncoder.reports(clipL, clipG, t5, batch, options);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", json(prompt, reports.get(reports.size() - 1), t5Length));
        if (negative != null) {
            m.put("negative", json(negative, reports.get(0), t5Length));
        }
        return m;
    }

    private static Map<String, Object> json(Prompts p, TokenReport report, int t5Length) {
        List<Map<String, Object>> encoders = new ArrayList<>();
        for (TokenReport.Encoder e : report.encoders()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("encoder", e.name());
            m.put("text", e.text());
            m.put("tokens", e.tokens());
            m.put("kept", e.kept());
            m.put("capacity", e.capacity());
            m.put("chunks", e.chunks());
            m.put("droppedFrom", e.droppedFrom());
            m.put("dropped", e.dropped());
            encoders.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", p.prompt());
        m.put("t5Length", t5Length);
        m.put("encoders", encoders);
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
