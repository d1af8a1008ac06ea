package studio.diffusion.pipeline;

import ai.djl.ndarray.NDManager;
import java.util.List;
import studio.diffusion.text.Conditioning;
import studio.diffusion.text.Prompts;

/**
 * The text side of the pipeline as {@link TextToImage} sees it: prompts in, SD3 conditioning out (SD3.md §4.7).
 * {@link PromptConditioner} runs the three text encoders; {@link EmbeddingsConditioner} reads precomputed ones.
 */
public interface Conditioner extends AutoCloseable {

    /**
     * Encodes {@code prompts} (each with its optional per-encoder texts) as one batch: context [N, T, joint_dim]
     * and pooled [N, pooled_dim], fp32, in {@code manager}, with one token report per prompt. All rows share
     * T = 77·k + t5Length, k being the largest CLIP chunk count in the batch (a short negative is padded to the
     * positive's chunks), so that the [uncond, cond] batch of classifier-free guidance can be formed.
     */
    Conditioning encode(List<Prompts> prompts, int t5Length, NDManager manager);

    /** Frees the encoders' weights; the conditioner is not used afterwards. */
    @Override
    void close();
}
