package studio.diffusion.text;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The MMDiT's text inputs for a batch (SD3.md §4.7), fp32, plus one {@link TokenReport} per row: what
 * {@link PromptEncoder} returns, and what the pipeline's {@code Conditioner}s return (precomputed embeddings
 * included), so one type carries conditioning from the text side to the sampler.
 *
 * @param context [B, T, D]; from {@link PromptEncoder} T = 77·clipChunks + t5Length: CLIP-L ‖ CLIP-G
 *     penultimate states on the feature axis, zero-padded to D_t5, chunks along the sequence, then T5's
 *     last hidden state
 * @param pooled [B, P]; from {@link PromptEncoder} CLIP-L ‖ CLIP-G pooled vectors of the first chunk
 */
public record Conditioning(NDArray context, NDArray pooled, List<TokenReport> reports) implements AutoCloseable {

    public Conditioning {
        reports = List.copyOf(reports);
        if (context.getShape().get(0) != pooled.getShape().get(0) || context.getShape().get(0) != reports.size()) {
            throw new IllegalArgumentException("context " + context.getShape() + ", pooled " + pooled.getShape()
                    + " and " + reports.size() + " reports disagree on the batch size");
        }
    }

    /** The 77-position CLIP chunks every row has (all rows share it), from the reports. */
    public int clipChunks() {
        return reports.get(0).encoder("clip_l").chunks();
    }

    @Override
    public void close() {
        context.close();
        pooled.close();
    }
}
