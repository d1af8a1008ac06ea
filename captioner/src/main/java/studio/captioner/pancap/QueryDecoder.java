package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import ai.djl.nn.Activation;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * The mask-transformer decoder (Mask2Former §3.2-3.3, kMaX-DeepLab's cluster view): N learned queries,
 * the same for things and stuff, cross-attend to the pixel memory, self-attend, then an FFN. After
 * every layer the shared heads give per-query class logits (C classes + no object) and a mask embedding
 * whose dot product with every pixel embedding is the query's mask logit (deep supervision on all layers
 * and on the bare queries, as Mask2Former's auxiliary losses). Cross-attention is Mask2Former's masked
 * attention. Pre-norm residuals; the multi-scale round-robin is dropped at this scale (one memory scale).
 * One addition to the reference: the class head also sees the query's mask-pooled pixel embedding
 * (mask pooling as PanCaper-Pro's segment features and MaskCLIP-style mask classification), projected
 * to D and added to the query feature, since a tiny model's 1/4-scale memory barely resolves small shapes.
 *
 * <p>Keys: {@code query_feat}, {@code query_pos} [N, D], {@code layers.i.{norm_cross,cross_attn,norm_self,
 * self_attn,norm_ffn,ffn}}, {@code decoder_norm}, {@code class_head} [C+1, D], {@code class_pool} [D, E], {@code mask_embed.{0,1,2}}.
 */
final class QueryDecoder {
    /** One layer's predictions: class logits [B, N, C+1], mask logits [B, N, H·W], query features [B, N, D]. */
    record Prediction(NDArray classLogits, NDArray maskLogits, NDArray queries) {}

    private final NDArray queryFeat; // [N, D]
    private final NDArray queryPos; // [N, D]
    private final NDArray memoryPos; // [G², D] shared with the encoder's positions
    private final List<Layer> layers = new ArrayList<>();
    private final Layers.Norm decoderNorm;
    private final Layers.Linear classHead;
    private final Layers.Linear classPool;
    private final Layers.Linear[] maskEmbed = new Layers.Linear[3];
    private final int n;
    private final int d;

    QueryDecoder(Params p, PancaperConfig c, NDArray memoryPos) {
        n = c.queries();
        d = c.width();
        this.memoryPos = memoryPos;
        queryFeat = p.get("query_feat", n, d);
        queryPos = p.get("query_pos", n, d);
        for (int i = 0; i < c.decoderLayers(); i++) {
            layers.add(new Layer(p.pp("layers", i), d, c.heads()));
        }
        decoderNorm = Layers.Norm.of(p, "decoder_norm", d);
        classHead = Layers.Linear.of(p, "class_head", c.classes() + 1L, d);
        classPool = Layers.Linear.of(p, "class_pool", d, c.pixelDim());
        maskEmbed[0] = Layers.Linear.of(p, "mask_embed.0", d, d);
        maskEmbed[1] = Layers.Linear.of(p, "mask_embed.1", d, d);
        maskEmbed[2] = Layers.Linear.of(p, "mask_embed.2", c.pixelDim(), d);
    }

    /** memory [B, G², D], pixels [B, E, H·W] → one prediction per layer (the last is the model's output). */
    List<Prediction> forward(NDArray memory, NDArray pixels) {
        long b = memory.getShape().get(0);
        NDArray x = memory.getManager().zeros(new Shape(b, n, d)).add(queryFeat); // [B, N, D]
        NDArray keys = memory.add(memoryPos); // [B, G², D]
        List<Prediction> out = new ArrayList<>();
        out.add(heads(x, pixels)); // Mask2Former also supervises the prediction of the bare queries
        for (Layer layer : layers) {
            NDArray attend = attentionMask(out.get(out.size() - 1).maskLogits(), memory.getShape().get(1));
            x = layer.forward(x, queryPos, memory, keys, attend);
            out.add(heads(x, pixels));
        }
        return out;
    }

    /**
     * Mask2Former's masked attention (§3.2.1): a query attends only to the memory positions where its previous
     * mask prediction, brought to the memory grid (here 4×4 average pooling instead of bilinear resizing), has
     * probability ≥ 0.5; a query with no such position attends everywhere. Without gradient, as the reference's
     * {@code detach()}. maskLogits [B, N, H·W] → boolean [B, 1, N, G²].
     */
    private static NDArray attentionMask(NDArray maskLogits, long gridCells) {
        Shape s = maskLogits.getShape();
        long side = Math.round(Math.sqrt(s.get(2)));
        long g = Math.round(Math.sqrt(gridCells));
        long f = side / g;
        NDArray pooled = maskLogits.stopGradient().reshape(s.get(0), s.get(1), g, f, g, f).mean(new int[] {5}).mean(new int[] {3})
                .reshape(s.get(0), s.get(1), gridCells);
        NDArray allow = pooled.gte(0f).toType(DataType.FLOAT32, false); // σ(x) ≥ 0.5 ⇔ x ≥ 0
        NDArray empty = allow.sum(new int[] {2}, true).eq(0f).toType(DataType.FLOAT32, false);
        return allow.add(empty).gt(0f).reshape(s.get(0), 1, s.get(1), gridCells);
    }

    /** Shared prediction heads on query features x [B, N, D]. */
    private Prediction heads(NDArray x, NDArray pixels) {
        NDArray h = decoderNorm.forward(x);
        NDArray e = Ops.gelu(maskEmbed[0].forward(h));
        e = maskEmbed[2].forward(Ops.gelu(maskEmbed[1].forward(e))); // [B, N, E]
        NDArray masks = e.matMul(pixels); // [B, N, H·W]
        NDArray weight = Activation.sigmoid(masks.stopGradient()); // soft mask, no gradient into the mask branch
        NDArray pooled = weight.matMul(pixels.transpose(0, 2, 1)).div(weight.sum(new int[] {2}, true).add(1f)); // [B, N, E]
        NDArray cls = classHead.forward(h.add(classPool.forward(pooled))); // [B, N, C+1]
        return new Prediction(cls, masks, h);
    }

    /** Cross-attention to the pixels, self-attention among queries, FFN; pre-norm, positions added to q and k. */
    private static final class Layer {
        private final Layers.Norm normCross;
        private final Layers.Attention crossAttn;
        private final Layers.Norm normSelf;
        private final Layers.Attention selfAttn;
        private final Layers.Norm normFfn;
        private final Layers.Ffn ffn;

        Layer(Params p, int d, int heads) {
            normCross = Layers.Norm.of(p, "norm_cross", d);
            crossAttn = Layers.Attention.of(p, "cross_attn", d, heads);
            normSelf = Layers.Norm.of(p, "norm_self", d);
            selfAttn = Layers.Attention.of(p, "self_attn", d, heads);
            normFfn = Layers.Norm.of(p, "norm_ffn", d);
            ffn = Layers.Ffn.of(p, "ffn", d, 4 * d);
        }

        /** x [B, N, D], pos [N, D], memory and keys (memory + positions) [B, G², D], attend [B, 1, N, G²] → [B, N, D]. */
        NDArray forward(NDArray x, NDArray pos, NDArray memory, NDArray keys, NDArray attend) {
            x = x.add(crossAttn.forward(normCross.forward(x).add(pos), keys, memory, attend));
            NDArray h = normSelf.forward(x);
            NDArray qk = h.add(pos);
            x = x.add(selfAttn.forward(qk, qk, h, null));
            return x.add(ffn.forward(normFfn.forward(x)));
        }
    }
}
