package studio.diffusion.text;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import studio.core.device.Precision;
import studio.core.ops.Kernels;
import studio.core.ops.Ops;
import studio.diffusion.lora.LoraLinear;
import studio.diffusion.nn.Params;

/**
 * {@code encoder.block.J} (T5Block, SD3.md §4.5): h = h + o(Attn(RMS₀(h))) with scores Q·Kᵀ + position
 * bias, <b>no</b> 1/√d scaling and no mask; h = h + wo(gelu_tanh(wi_0(RMS₁(h))) ⊙ wi_1(RMS₁(h))).
 * No biases anywhere. The position bias is made by {@link T5Encoder} from block 0's table and passed
 * to every block. Not implemented: dropout (inference), the decoder's cross-attention, fp16 inf clamping
 * (run T5 in fp32 or bf16, §4.5).
 */
final class T5Block {
    private final T5Config config;
    private final LoraLinear q; // layer.0.SelfAttention.q [inner, D]
    private final LoraLinear k; // layer.0.SelfAttention.k [inner, D]
    private final LoraLinear v; // layer.0.SelfAttention.v [inner, D]
    private final LoraLinear o; // layer.0.SelfAttention.o [D, inner]
    private final NDArray layerNorm0; // layer.0.layer_norm.weight [D]
    private final LoraLinear wi0; // layer.1.DenseReluDense.wi_0 [F, D] (gate, through gelu_new)
    private final LoraLinear wi1; // layer.1.DenseReluDense.wi_1 [F, D] (linear)
    private final LoraLinear wo; // layer.1.DenseReluDense.wo [D, F]
    private final NDArray layerNorm1; // layer.1.layer_norm.weight [D]

    T5Block(Params w, T5Config c, Map<String, LoraLinear> registry) {
        config = c;
        long d = c.dModel();
        Params attn = w.pp("layer.0.SelfAttention");
        q = LoraLinear.load(attn, "q", c.inner(), d, false, registry);
        k = LoraLinear.load(attn, "k", c.inner(), d, false, registry);
        v = LoraLinear.load(attn, "v", c.inner(), d, false, registry);
        o = LoraLinear.load(attn, "o", d, c.inner(), false, registry);
        layerNorm0 = w.get("layer.0.layer_norm.weight", d);
        Params ff = w.pp("layer.1.DenseReluDense");
        wi0 = LoraLinear.load(ff, "wi_0", c.dFf(), d, false, registry);
        wi1 = LoraLinear.load(ff, "wi_1", c.dFf(), d, false, registry);
        wo = LoraLinear.load(ff, "wo", d, c.dFf(), false, registry);
        layerNorm1 = w.get("layer.1.layer_norm.weight", d);
    }

    /** h [B, L, D], positionBias [1, H, L, L] (additive) → [B, L, D]. */
    NDArray forward(NDArray h, NDArray positionBias) {
        int heads = config.numHeads();
        NDArray x = rmsNorm(h, layerNorm0, config.layerNormEpsilon());
        NDArray a = Ops.attention(Ops.splitHeads(q.forward(x), heads), Ops.splitHeads(k.forward(x), heads),
                Ops.splitHeads(v.forward(x), heads), positionBias, 1.0); // [B, H, L, d_kv], no scaling
        h = h.add(o.forward(Ops.mergeHeads(a)));
        x = rmsNorm(h, layerNorm1, config.layerNormEpsilon());
        NDArray gated = Ops.geluTanh(wi0.forward(x)).mul(wi1.forward(x)); // [B, L, F]
        return h.add(wo.forward(gated));
    }

    /**
     * T5LayerNorm: w · x / √(mean(x²) + eps) with the variance in fp32; in bf16/f16 the normalised x is
     * cast back to the weight's dtype before the multiply, as transformers does.
     */
    static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        Kernels kernels = Kernels.of(x);
        Precision p = kernels.precisionOf(x);
        if (p == Precision.F32) {
            return Ops.rmsNorm(x, weight, eps);
        }
        try (NDArray x32 = kernels.cast(x, Precision.F32); NDArray n32 = Ops.rmsNorm(x32, null, eps)) {
            return kernels.cast(n32, p).mul(weight);
        }
    }
}
