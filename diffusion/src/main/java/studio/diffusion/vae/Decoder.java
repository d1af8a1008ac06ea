package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import studio.diffusion.nn.Params;

/**
 * The VAE decoder (SD3.md §3.4, keys {@code decoder.*}): {@code conv_in} latent → widest level;
 * {@code mid_block}; per level i over the reversed channels {@code up_blocks.i.resnets.0..L} (L + 1
 * resnets, the first changes channels) and, except on the last level, {@code up_blocks.i.upsamplers.0};
 * {@code conv_norm_out}, SiLU, {@code conv_out} to RGB.
 */
final class Decoder {
    private final Conv convIn;
    private final MidBlock mid;
    private final List<List<ResnetBlock>> resnets = new ArrayList<>();
    private final List<Upsample> upsamplers = new ArrayList<>();
    private final GroupNorm normOut;
    private final Conv convOut;

    Decoder(Params w, VaeConfig c) {
        List<Integer> rev = new ArrayList<>(c.blockOutChannels());
        Collections.reverse(rev);
        int groups = c.normNumGroups();
        convIn = Conv.same(w, "conv_in", rev.get(0), c.latentChannels());
        mid = new MidBlock(w.pp("mid_block"), rev.get(0), groups, c.midBlockAddAttention());
        int out = rev.get(0);
        for (int i = 0; i < rev.size(); i++) {
            Params block = w.pp("up_blocks", i);
            int in = out;
            out = rev.get(i);
            List<ResnetBlock> level = new ArrayList<>();
            for (int m = 0; m <= c.layersPerBlock(); m++) {
                level.add(new ResnetBlock(block.pp("resnets", m), m == 0 ? in : out, out, groups));
            }
            resnets.add(level);
            upsamplers.add(i < rev.size() - 1 ? new Upsample(block.pp("upsamplers.0"), out) : null);
        }
        normOut = new GroupNorm(w, "conv_norm_out", groups, rev.get(rev.size() - 1));
        convOut = Conv.same(w, "conv_out", c.outChannels(), rev.get(rev.size() - 1));
    }

    /** z [B, latent, h, w] (VAE space, not normalised) → image [B, 3, h·f, w·f] in about [−1, 1]. z is not closed. */
    NDArray forward(NDArray z) {
        NDArray h = convIn.forward(z);
        h = Chain.replace(h, mid.forward(h));
        for (int i = 0; i < resnets.size(); i++) {
            for (ResnetBlock r : resnets.get(i)) {
                h = Chain.replace(h, r.forward(h));
            }
            if (upsamplers.get(i) != null) {
                h = Chain.replace(h, upsamplers.get(i).forward(h));
            }
        }
        try (NDArray last = h; NDArray a = normOut.forwardSilu(last)) {
            return convOut.forward(a);
        }
    }
}
