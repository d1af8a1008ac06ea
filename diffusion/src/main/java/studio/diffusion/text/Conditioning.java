package studio.diffusion.text;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The MMDiT's text inputs for a batch (SD3.md §4.7), fp32, plus one {@link TokenReport} per prompt.
 *
 * @param context [B, 77·clipChunks + t5Length, D_t5]: CLIP-L ‖ CLIP-G penultimate states on the feature
 *     axis, zero-padded to D_t5, chunks along the sequence, then T5's last hidden state
 * @param pooled [B, P_L + P_G]: CLIP-L ‖ CLIP-G pooled vectors of the first chunk
 */
public record Conditioning(NDArray context, NDArray pooled, List<TokenReport> reports, int clipChunks, int t5Length)
        implements AutoCloseable {

    public Conditioning {
        reports = List.copyOf(reports);
    }

    @Override
    public void close() {
        context.close();
        pooled.close();
    }
}
