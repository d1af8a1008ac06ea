package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * Backbone and pixel decoder of the tiny PanCaper (Mask2Former's "backbone + pixel decoder", Cheng et al.
 * 2022 §3.2, at toy scale): a conv stem at full resolution (C channels), two stride-2 conv units to the
 * 1/4 grid (D channels), pre-norm transformer encoder layers over those G² tokens with learned positions
 * (the role of the MSDeformAttn encoder), then an FPN-style top-down path back to full resolution that
 * gives the per-pixel mask embeddings (E channels). Dropped from the reference: multi-scale deformable
 * attention, the Swin/ResNet backbone, multi-scale memory for the decoder (one 1/4 scale here).
 *
 * <p>Keys: {@code stem.{0,1}}, {@code down.{0,1}} (conv units), {@code pos_embed} [G², D],
 * {@code encoder.i.{norm1,attn,norm2,ffn}}, {@code lateral.{0,1,2}} (1×1), {@code fuse.{0,1}} (conv units),
 * {@code mask_features} (1×1), {@code semantic_head} [C+1, E] (auxiliary loss only).
 */
final class PixelEncoder {
    /** memory [B, G², D] (the decoder's keys and values), pixels [B, E, H·W] (per-pixel mask embeddings). */
    record Features(NDArray memory, NDArray pixels) {}

    private final Layers.ConvUnit stem0;
    private final Layers.ConvUnit stem1;
    private final Layers.ConvUnit down0;
    private final Layers.ConvUnit down1;
    private final NDArray posEmbed; // [G², D]
    private final List<EncoderLayer> encoder = new ArrayList<>();
    private final Layers.Conv1x1 lateralTop;
    private final Layers.Conv1x1 lateralMid;
    private final Layers.Conv1x1 lateralFull;
    private final Layers.ConvUnit fuseMid;
    private final Layers.ConvUnit fuseFull;
    private final Layers.Conv1x1 maskFeatures;
    private final Layers.Linear semanticHead;
    private final int d;

    PixelEncoder(Params p, PancaperConfig c) {
        int ch = c.stemChannels();
        int mid = (ch + c.width()) / 2;
        int e = c.pixelDim();
        d = c.width();
        stem0 = Layers.ConvUnit.of(p, "stem.0", ch, 3, 3, 1);
        stem1 = Layers.ConvUnit.of(p, "stem.1", ch, ch, 3, 1);
        down0 = Layers.ConvUnit.of(p, "down.0", mid, ch, 3, 2);
        down1 = Layers.ConvUnit.of(p, "down.1", d, mid, 3, 2);
        posEmbed = p.get("pos_embed", (long) c.grid() * c.grid(), d);
        for (int i = 0; i < c.encoderLayers(); i++) {
            encoder.add(new EncoderLayer(p.pp("encoder", i), d, c.heads()));
        }
        lateralTop = Layers.Conv1x1.of(p, "lateral.0", e, d);
        lateralMid = Layers.Conv1x1.of(p, "lateral.1", e, mid);
        lateralFull = Layers.Conv1x1.of(p, "lateral.2", e, ch);
        fuseMid = Layers.ConvUnit.of(p, "fuse.0", e, e, 3, 1);
        fuseFull = Layers.ConvUnit.of(p, "fuse.1", e, e, 3, 1);
        maskFeatures = Layers.Conv1x1.of(p, "mask_features", e, e);
        semanticHead = Layers.Linear.of(p, "semantic_head", c.classes() + 1L, e);
    }

    /**
     * Per-pixel class logits from the mask embeddings, for kMaX-DeepLab's auxiliary semantic segmentation loss
     * (Yu et al. 2022 §3.3; also Panoptic-DeepLab's semantic branch): a dense signal that teaches the pixel
     * embeddings what a shape looks like long before set-prediction classification does. Training only.
     * pixels [B, E, H·W] → [B, H·W, C+1].
     */
    NDArray semantic(NDArray pixels) {
        return semanticHead.forward(pixels.transpose(0, 2, 1));
    }

    /** The learned positions of the G² memory tokens [G², D] (the decoder adds them to its keys). */
    NDArray posEmbed() {
        return posEmbed;
    }

    /** image [B, 3, H, W] (normalised) → memory [B, G², D] and pixels [B, E, H·W]. */
    Features forward(NDArray image) {
        NDArray full = stem1.forward(stem0.forward(image)); // [B, C, H, W]
        NDArray half = down0.forward(full); // [B, mid, H/2, W/2]
        NDArray quarter = down1.forward(half); // [B, D, G, G]
        Shape s = quarter.getShape();
        long b = s.get(0);
        long g = s.get(2);
        NDArray tokens = quarter.reshape(b, d, g * g).transpose(0, 2, 1).add(posEmbed); // [B, G², D]
        for (EncoderLayer layer : encoder) {
            tokens = layer.forward(tokens);
        }
        NDArray top = tokens.transpose(0, 2, 1).reshape(b, d, g, g); // [B, D, G, G]
        NDArray y = Ops.upsampleNearest(lateralTop.forward(top), 2).add(lateralMid.forward(half)); // [B, E, H/2, W/2]
        y = fuseMid.forward(y);
        y = Ops.upsampleNearest(y, 2).add(lateralFull.forward(full)); // [B, E, H, W]
        NDArray pixels = maskFeatures.forward(fuseFull.forward(y)); // [B, E, H, W]
        Shape ps = pixels.getShape();
        return new Features(tokens, pixels.reshape(b, ps.get(1), ps.get(2) * ps.get(3)));
    }

    /** Pre-norm transformer encoder layer: x + attn(LN(x)), then x + FFN(LN(x)). */
    private static final class EncoderLayer {
        private final Layers.Norm norm1;
        private final Layers.Attention attn;
        private final Layers.Norm norm2;
        private final Layers.Ffn ffn;

        EncoderLayer(Params p, int d, int heads) {
            norm1 = Layers.Norm.of(p, "norm1", d);
            attn = Layers.Attention.of(p, "attn", d, heads);
            norm2 = Layers.Norm.of(p, "norm2", d);
            ffn = Layers.Ffn.of(p, "ffn", d, 4 * d);
        }

        /** [B, L, D] → [B, L, D]. */
        NDArray forward(NDArray x) {
            NDArray h = norm1.forward(x);
            x = x.add(attn.forward(h, h, h, null));
            return x.add(ffn.forward(norm2.forward(x)));
        }
    }
}
