package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Caption → the MMDiT's conditioning: context [T, joint_attention_dim] and pooled [pooled_projection_dim]
 * (for SD3: CLIP-L + CLIP-G + T5 assembled as encode_prompt does, SD3.md §4.7). The encoders of
 * {@code studio.diffusion.text} adapt to this when they land; {@link HashedWords} is the weight-free one
 * used by the tiny configs and tests. The empty caption is the unconditional prompt (caption dropout).
 */
public interface TextConditioner {

    /** One caption's conditioning, fp32, in the caller's manager. */
    record Conditioning(NDArray context, NDArray pooled) {}

    /** Names the model and every setting that changes the output (e.g. the T5 length): part of the cache key. */
    String id();

    Conditioning encode(NDManager manager, String caption);
}
