package studio.diffusion.pipeline;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.List;
import studio.core.device.Precision;
import studio.diffusion.text.Conditioning;
import studio.diffusion.text.PromptEncoder;
import studio.diffusion.text.Prompts;
import studio.diffusion.text.TextOptions;

/**
 * The pipeline's default text side: the model folder's CLIP-L, CLIP-G and T5 through {@link PromptEncoder}
 * (SD3.md §4.7, long prompts in 77-token CLIP chunks), the T5 length taken from each request.
 * {@link #close()} frees the three encoders (phase 2 of {@link TextToImage}).
 */
public final class PromptConditioner implements Conditioner {
    private final PromptEncoder encoder;

    public PromptConditioner(PromptEncoder encoder) {
        this.encoder = encoder;
    }

    /**
     * Loads {@code tokenizer*}/ and {@code text_encoder*}/ of the folder in {@code precision} (T5 in bf16 when
     * f16 is asked for, SD3.md §4.5); {@code text_encoder_3}/ may be absent (T5 part zero, as diffusers).
     */
    public static TextToImage.ConditionerLoader loader(Precision precision) {
        return (folder, manager) -> new PromptConditioner(
                PromptEncoder.load(folder.root(), manager, precision, TextOptions.defaults()));
    }

    public PromptEncoder encoder() {
        return encoder;
    }

    @Override
    public Conditioning encode(List<Prompts> prompts, int t5Length, NDManager manager) {
        return encoder.encode(prompts, encoder.options().withT5Length(t5Length), manager);
    }

    @Override
    public void close() {
        encoder.close();
    }
}
