package studio.diffusion.pipeline;

import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * The text side of the pipeline as {@link TextToImage} sees it: prompts in, SD3 conditioning out (SD3.md §4.7).
 * Implemented over the three text encoders and their tokenizers; tests use fixed tensors.
 */
public interface Conditioner extends AutoCloseable {

    /**
     * Encodes {@code prompts} as one batch: context [N, T, joint_dim] and pooled [N, pooled_dim], fp32, in
     * {@code manager}, with one {@link PromptReport} per prompt. All rows share T = 77·k + t5Length, k being the
     * largest CLIP chunk count in the batch (a short negative is padded to the positive's chunks), so that the
     * [uncond, cond] batch of classifier-free guidance can be formed.
     */
    Conditioning encode(List<String> prompts, int t5Length, NDManager manager);

    /** Frees the encoders' weights; the conditioner is not used afterwards. */
    @Override
    void close();
}
