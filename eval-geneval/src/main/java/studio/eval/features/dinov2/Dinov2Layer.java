package studio.eval.features.dinov2;

import ai.djl.ndarray.NDArray;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * {@code encoder.layer.N} (transformers {@code Dinov2Layer}; the hub's {@code Block} with its {@code qkv} split in three):
 * {@code h = h + λ1 ⊙ dense(Attn(norm1(h)))}, {@code h = h + λ2 ⊙ fc2(GELU(fc1(norm2(h))))}; attention scale
 * 1/√head_dim; no drop path at inference.
 */
final class Dinov2Layer {
    private final Dinov2Config config;
    private final NDArray norm1Weight; // norm1.weight [D]
    private final NDArray norm1Bias; // norm1.bias [D]
    private final NDArray queryWeight; // attention.attention.query.weight [D, D]
    private final NDArray queryBias; // attention.attention.query.bias [D]
    private final NDArray keyWeight; // attention.attention.key.weight [D, D]
    private final NDArray keyBias; // attention.attention.key.bias [D]
    private final NDArray valueWeight; // attention.attention.value.weight [D, D]
    private final NDArray valueBias; // attention.attention.value.bias [D]
    private final NDArray denseWeight; // attention.output.dense.weight [D, D]
    private final NDArray denseBias; // attention.output.dense.bias [D]
    private final NDArray layerScale1; // layer_scale1.lambda1 [D]
    private final NDArray norm2Weight; // norm2.weight [D]
    private final NDArray norm2Bias; // norm2.bias [D]
    private final NDArray fc1Weight; // mlp.fc1.weight [I, D]
    private final NDArray fc1Bias; // mlp.fc1.bias [I]
    private final NDArray fc2Weight; // mlp.fc2.weight [D, I]
    private final NDArray fc2Bias; // mlp.fc2.bias [D]
    private final NDArray layerScale2; // layer_scale2.lambda1 [D]

    Dinov2Layer(Params w, Dinov2Config c) {
        config = c;
        long d = c.hiddenSize();
        long i = c.intermediateSize();
        norm1Weight = w.get("norm1.weight", d);
        norm1Bias = w.get("norm1.bias", d);
        Params attn = w.pp("attention.attention");
        queryWeight = attn.get("query.weight", d, d);
        queryBias = attn.get("query.bias", d);
        keyWeight = attn.get("key.weight", d, d);
        keyBias = attn.get("key.bias", d);
        valueWeight = attn.get("value.weight", d, d);
        valueBias = attn.get("value.bias", d);
        denseWeight = w.get("attention.output.dense.weight", d, d);
        denseBias = w.get("attention.output.dense.bias", d);
        layerScale1 = w.get("layer_scale1.lambda1", d);
        norm2Weight = w.get("norm2.weight", d);
        norm2Bias = w.get("norm2.bias", d);
        fc1Weight = w.get("mlp.fc1.weight", i, d);
        fc1Bias = w.get("mlp.fc1.bias", i);
        fc2Weight = w.get("mlp.fc2.weight", d, i);
        fc2Bias = w.get("mlp.fc2.bias", d);
        layerScale2 = w.get("layer_scale2.lambda1", d);
    }

    /** h [B, L, D] → [B, L, D]. */
    NDArray forward(NDArray h) {
        int heads = config.numAttentionHeads();
        double eps = config.layerNormEps();
        NDArray x = Ops.layerNorm(h, norm1Weight, norm1Bias, eps);
        NDArray q = Ops.splitHeads(Ops.linear(x, queryWeight, queryBias), heads); // [B, H, L, hd]
        NDArray k = Ops.splitHeads(Ops.linear(x, keyWeight, keyBias), heads);
        NDArray v = Ops.splitHeads(Ops.linear(x, valueWeight, valueBias), heads);
        NDArray a = Ops.linear(Ops.mergeHeads(Ops.attention(q, k, v)), denseWeight, denseBias); // [B, L, D]
        h = h.add(a.mul(layerScale1));
        x = Ops.layerNorm(h, norm2Weight, norm2Bias, eps);
        x = Ops.linear(Ops.gelu(Ops.linear(x, fc1Weight, fc1Bias)), fc2Weight, fc2Bias);
        return h.add(x.mul(layerScale2));
    }
}
