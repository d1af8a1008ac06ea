package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import studio.diffusion.nn.Params;

/** UNetMidBlock2D of the VAE (SD3.md §3.3): resnets.0 → attentions.0 (when configured) → resnets.1, all at C channels. */
final class MidBlock {
    private final ResnetBlock resnet0;
    private final AttnBlock attention; // null when mid_block_add_attention is false
    private final ResnetBlock resnet1;

    MidBlock(Params w, int channels, int groups, boolean addAttention) {
        resnet0 = new ResnetBlock(w.pp("resnets.0"), channels, channels, groups);
        attention = addAttention ? new AttnBlock(w.pp("attentions.0"), channels, groups) : null;
        resnet1 = new ResnetBlock(w.pp("resnets.1"), channels, channels, groups);
    }

    /** x is not closed. */
    NDArray forward(NDArray x) {
        NDArray h = resnet0.forward(x);
        if (attention != null) {
            h = Chain.replace(h, attention.forward(h));
        }
        return Chain.replace(h, resnet1.forward(h));
    }
}
