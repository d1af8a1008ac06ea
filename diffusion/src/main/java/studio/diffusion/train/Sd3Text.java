package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import studio.core.device.Precision;
import studio.diffusion.text.PromptEncoder;
import studio.diffusion.text.Prompts;
import studio.diffusion.text.TextOptions;

/**
 * SD3's three text encoders (CLIP-L, CLIP-G, T5; SD3.md §4.7, long prompts in 77-token CLIP chunks) as the
 * trainer's text conditioner, with the T5 length of the run (diffusers' trainer: 77) and CLIP cut at 77 tokens. Owns them until {@link #close}.
 */
public final class Sd3Text implements TextConditioner, AutoCloseable {
    private final Path model;
    private final NDManager manager;
    private final PromptEncoder encoder;
    private final TextOptions options;

    private Sd3Text(Path model, NDManager manager, PromptEncoder encoder, int t5Length) {
        this.model = model;
        this.manager = manager;
        this.encoder = encoder;
        // CLIP truncated at one 77-token chunk, as diffusers' SD3 trainer (tokenize_prompt, max_length=77), so
        // every caption has the same context length T = 77 + t5Length and batches stack.
        this.options = new TextOptions(t5Length, 1);
    }

    /** Loads tokenizer*, text_encoder* of a diffusers SD3 folder. */
    public static Sd3Text load(Path model, Precision precision, int t5Length) throws IOException {
        NDManager m = NDManager.newBaseManager();
        try {
            return new Sd3Text(model, m, PromptEncoder.load(model, m, precision, TextOptions.defaults()), t5Length);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return "sd3-text:" + model.toAbsolutePath().normalize() + ":" + options;
    }

    @Override
    public Conditioning encode(NDManager out, String caption) {
        try (studio.diffusion.text.Conditioning c = encoder.encode(List.of(Prompts.of(caption)), options, out)) {
            NDArray context = c.context().get(0);
            NDArray pooled = c.pooled().get(0);
            context.attach(out);
            pooled.attach(out);
            return new Conditioning(context, pooled);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
