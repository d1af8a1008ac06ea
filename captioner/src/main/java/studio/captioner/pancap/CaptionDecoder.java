package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * The grounded caption decoder (PanCaper-Pro's idea, EVAL.md §3.3: the language model attends to
 * mask-pooled segment features). Each segment becomes one memory slot: its pooled pixel embedding,
 * mean colour and box ({@link SegmentPooling}, E + 8 numbers) projected to D, plus an embedding of its
 * class. A small causal transformer (self-attention over the caption so far, cross-attention to the
 * segment slots, FFN; pre-norm) predicts the next word (output layer tied to the token embedding, as
 * GPT-2) and, for a {@code <ptr>} token, which slot the tag points at: a pointer network (Vinyals et al.
 * 2015) scoring q(h)·slot/√D. A {@code <ptr>} token's input embedding gets its slot's feature added, so
 * the phrase that follows is about that segment.
 *
 * <p>Keys: {@code segment_in} [D, E+8], {@code class_embed} [C+1, D], {@code segment_norm},
 * {@code token_embed} [V, D], {@code pos_embed} [T, D], {@code layers.i.{norm_self,self_attn,norm_cross,
 * cross_attn,norm_ffn,ffn}}, {@code final_norm}, {@code pointer} [D, D].
 */
final class CaptionDecoder {
    /** Next-token logits [B, T, V] and pointer logits over the segment slots [B, T, K]. */
    record Output(NDArray tokenLogits, NDArray pointerLogits) {}

    private final Layers.Linear segmentIn;
    private final NDArray classEmbed; // [C+1, D]
    private final Layers.Norm segmentNorm;
    private final NDArray tokenEmbed; // [V, D]
    private final NDArray posEmbed; // [T, D]
    private final List<Layer> layers = new ArrayList<>();
    private final Layers.Norm finalNorm;
    private final Layers.Linear pointer;
    private final int d;

    CaptionDecoder(Params p, PancaperConfig c) {
        d = c.width();
        segmentIn = Layers.Linear.of(p, "segment_in", d, c.pixelDim() + SegmentPooling.EXTRA);
        classEmbed = p.get("class_embed", c.classes() + 1L, d);
        segmentNorm = Layers.Norm.of(p, "segment_norm", d);
        tokenEmbed = p.get("token_embed", c.vocab().size(), d);
        posEmbed = p.get("pos_embed", c.maxTokens(), d);
        for (int i = 0; i < c.captionLayers(); i++) {
            layers.add(new Layer(p.pp("layers", i), d, c.heads()));
        }
        finalNorm = Layers.Norm.of(p, "final_norm", d);
        pointer = Layers.Linear.of(p, "pointer", d, d);
    }

    /** Segment slots: pooled [B, K, E+8] and class one-hots [B, K, C+1] → [B, K, D]. */
    NDArray segments(NDArray pooled, NDArray classOneHot) {
        return segmentNorm.forward(segmentIn.forward(pooled).add(classOneHot.matMul(classEmbed)));
    }

    /**
     * tokens [B, T] (int), pointed [B, T, K] (one-hot of the slot a {@code <ptr>} input token points at, zero
     * rows elsewhere), slots [B, K, D], valid [B, K] (boolean: real slots) → logits for position t+1 at t.
     */
    Output forward(NDArray tokens, NDArray pointed, NDArray slots, NDArray valid) {
        NDManager m = tokens.getManager();
        Shape s = tokens.getShape();
        long t = s.get(1);
        long k = slots.getShape().get(1);
        NDArray x = tokens.oneHot(Math.toIntExact(tokenEmbed.getShape().get(0))).toType(DataType.FLOAT32, false)
                .matMul(tokenEmbed); // [B, T, D]
        x = x.add(m.eye((int) t, (int) posEmbed.getShape().get(0), 0, DataType.FLOAT32).matMul(posEmbed));
        x = x.add(pointed.matMul(slots));
        NDArray causal = causalMask(m, t); // [T, T]
        NDArray cross = valid.reshape(s.get(0), 1, 1, k); // [B, 1, 1, K]
        for (Layer layer : layers) {
            x = layer.forward(x, causal, slots, cross);
        }
        NDArray h = finalNorm.forward(x);
        NDArray logits = Ops.linear(h, tokenEmbed, null); // tied output layer [B, T, V]
        NDArray scores = pointer.forward(h).matMul(slots.transpose(0, 2, 1)).div((float) Math.sqrt(d)); // [B, T, K]
        NDArray blocked = valid.logicalNot().reshape(s.get(0), 1, k).toType(DataType.FLOAT32, false).mul(-1e4f);
        return new Output(logits, scores.add(blocked));
    }

    private static NDArray causalMask(NDManager m, long t) {
        boolean[] a = new boolean[Math.toIntExact(t * t)];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) {
                a[(int) (i * t + j)] = true;
            }
        }
        return m.create(a, new Shape(t, t));
    }

    /** Causal self-attention, cross-attention to the segment slots, FFN; pre-norm residuals. */
    private static final class Layer {
        private final Layers.Norm normSelf;
        private final Layers.Attention selfAttn;
        private final Layers.Norm normCross;
        private final Layers.Attention crossAttn;
        private final Layers.Norm normFfn;
        private final Layers.Ffn ffn;

        Layer(Params p, int d, int heads) {
            normSelf = Layers.Norm.of(p, "norm_self", d);
            selfAttn = Layers.Attention.of(p, "self_attn", d, heads);
            normCross = Layers.Norm.of(p, "norm_cross", d);
            crossAttn = Layers.Attention.of(p, "cross_attn", d, heads);
            normFfn = Layers.Norm.of(p, "norm_ffn", d);
            ffn = Layers.Ffn.of(p, "ffn", d, 4 * d);
        }

        /** x [B, T, D], causal [T, T], slots [B, K, D], cross [B, 1, 1, K] → [B, T, D]. */
        NDArray forward(NDArray x, NDArray causal, NDArray slots, NDArray cross) {
            NDArray h = normSelf.forward(x);
            x = x.add(selfAttn.forward(h, h, h, causal));
            x = x.add(crossAttn.forward(normCross.forward(x), slots, slots, cross));
            return x.add(ffn.forward(normFfn.forward(x)));
        }
    }
}
