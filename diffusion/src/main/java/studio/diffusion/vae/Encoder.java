package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import studio.diffusion.nn.Params;

/**
 * The VAE encoder (SD3.md §3.4, keys {@code encoder.*}): {@code conv_in}; per level i
 * {@code down_blocks.i.resnets.0..L−1} (the first changes channels) and, except on the last level,
 * {@code down_blocks.i.downsamplers.0}; {@code mid_block}; {@code conv_norm_out}, SiLU, {@code conv_out}
 * to 2·latent channels (mean, then log-variance).
 */
final class Encoder {
    private final Conv convIn;
    private final List<List<ResnetBlock>> resnets = new ArrayList<>();
    private final List<Downsample> downsamplers = new ArrayList<>();
    private final MidBlock mid;
    private final GroupNorm normOut;
    private final Conv convOut;

    Encoder(Params w, VaeConfig c) {
        List<Integer> ch = c.blockOutChannels();
        int groups = c.normNumGroups();
        convIn = Conv.same(w, "conv_in", ch.get(0), c.inChannels());
        int out = ch.get(0);
        for (int i = 0; i < ch.size(); i++) {
            Params block = w.pp("down_blocks", i);
            int in = out;
            out = ch.get(i);
            List<ResnetBlock> level = new ArrayList<>();
            for (int m = 0; m < c.layersPerBlock(); m++) {
                level.add(new ResnetBlock(block.pp("resnets", m), m == 0 ? in : out, out, groups));
            }
            resnets.add(level);
            downsamplers.add(i < ch.size() - 1 ? new Downsample(block.pp("downsamplers.0"), out) : null);
        }
        mid = new MidBlock(w.pp("mid_block"), c.midChannels(), groups, c.midBlockAddAttention());
        normOut = new GroupNorm(w, "conv_norm_out", groups, c.midChannels());
        convOut = Conv.same(w, "conv_out", 2 * c.latentChannels(), c.midChannels());
    }

    /** image [B, 3, H, W] in [−1, 1] → moments [B, 2·latent, H/f, W/f]. The input is not closed. */
    NDArray forward(NDArray image) {
        NDArray h = convIn.forward(image);
        for (int i = 0; i < resnets.size(); i++) {
            for (ResnetBlock r : resnets.get(i)) {
                h = Chain.replace(h, r.forward(h));
            }
            if (downsamplers.get(i) != null) {
                h = Chain.replace(h, downsamplers.get(i).forward(h));
            }
        }
        h = Chain.replace(h, mid.forward(h));
        try (NDArray last = h; NDArray a = normOut.forwardSilu(last)) {
            return convOut.forward(a);
        }
    }
}
