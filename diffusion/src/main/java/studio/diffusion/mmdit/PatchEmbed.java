package studio.diffusion.mmdit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.HashMap;
import java.util.Map;
import studio.core.BadInputException;
import studio.diffusion.nn.Params;

/**
 * {@code pos_embed}: patchify conv plus the stored position table, centre-cropped (SD3.md §1.4 steps 1–2).
 * The table is read from the file, never regenerated (§7.1). No LayerNorm (layer_norm=False).
 */
final class PatchEmbed {
    private final MmditConfig config;
    private final NDArray projWeight; // proj.weight [D, C, p, p]
    private final NDArray projBias; // proj.bias [D]
    private final NDArray posEmbed; // pos_embed [1, M·M, D]
    /** Crops by (h, w), cached: made from a weight, they would otherwise land in the weights' manager per call. */
    private final Map<Long, NDArray> crops = new HashMap<>();

    PatchEmbed(Params w, MmditConfig c) {
        this.config = c;
        int d = c.hidden();
        int p = c.patchSize();
        int m = c.posEmbedMaxSize();
        projWeight = w.get("proj.weight", d, c.inChannels(), p, p);
        projBias = w.get("proj.bias", d);
        posEmbed = w.get("pos_embed", 1, (long) m * m, d);
    }

    /** x [B, C, H, W] → tokens [B, N, D], N = h·w, token n = row·w + col. */
    NDArray forward(NDArray x) {
        int p = config.patchSize();
        long b = x.getShape().get(0);
        long h = x.getShape().get(2) / p;
        long w = x.getShape().get(3) / p;
        NDArray t = Conv2d.conv2d(x, projWeight, projBias, new Shape(p, p), new Shape(0, 0), new Shape(1, 1), 1)
                .singletonOrThrow(); // [B, D, h, w]
        t = t.reshape(b, config.hidden(), h * w).transpose(0, 2, 1);
        if (posEmbed.hasGradient()) {
            // pos_embed is being trained (full-parameter training): crop it afresh in this step's scope, so the
            // crop is part of this step's graph; a cached crop would carry the autograd history of the step that
            // made it (and a resumed run, which makes it later, would train differently).
            NDArray pos = crop(h, w, false);
            pos.attach(t.getManager());
            return t.add(pos);
        }
        return t.add(crop(h, w, true));
    }

    /** Rows top..top+h−1, columns left..left+w−1 of the M×M table, top = (M−h)//2, left = (M−w)//2 → [1, h·w, D]. */
    private NDArray crop(long h, long w, boolean cached) {
        int m = config.posEmbedMaxSize();
        if (h > m || w > m) {
            throw new BadInputException("hidden_states", "latent grid " + h + "×" + w + " patches exceeds pos_embed_max_size "
                    + m + " (at most " + m * config.patchSize() + " latent pixels per side)");
        }
        return cached ? crops.computeIfAbsent(h * 100_000 + w, k -> cut(h, w, m)) : cut(h, w, m);
    }

    private NDArray cut(long h, long w, int m) {
        long top = (m - h) / 2;
        long left = (m - w) / 2;
        try (NDArray grid = posEmbed.reshape(m, m, config.hidden());
             NDArray cut = grid.get(new NDIndex("{}:{}, {}:{}", top, top + h, left, left + w))) {
            return cut.reshape(1, h * w, config.hidden()); // libtorch keeps the storage alive
        }
    }
}
