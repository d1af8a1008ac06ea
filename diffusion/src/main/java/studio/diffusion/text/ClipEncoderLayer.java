package studio.diffusion.text;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import studio.core.ops.Ops;
import studio.diffusion.lora.LoraLinear;
import studio.diffusion.nn.Params;

/**
 * {@code text_model.encoder.layers.N} (CLIPEncoderLayer, SD3.md §4.3), pre-LN:
 * h = h + out_proj(Attn(layer_norm1(h))) with the causal mask and scale 1/√head_dim;
 * h = h + fc2(act(fc1(layer_norm2(h)))). Linears are {@link LoraLinear}s (text-encoder LoRAs target
 * q/k/v/out_proj). Not implemented: attention dropout (inference only), output_attentions.
 */
final class ClipEncoderLayer {
    private final ClipConfig config;
    private final LoraLinear qProj; // self_attn.q_proj [W, W] + bias
    private final LoraLinear kProj; // self_attn.k_proj [W, W] + bias
    private final LoraLinear vProj; // self_attn.v_proj [W, W] + bias
    private final LoraLinear outProj; // self_attn.out_proj [W, W] + bias
    private final NDArray layerNorm1Weight; // layer_norm1.weight [W]
    private final NDArray layerNorm1Bias; // layer_norm1.bias [W]
    private final LoraLinear fc1; // mlp.fc1 [I, W] + bias
    private final LoraLinear fc2; // mlp.fc2 [W, I] + bias
    private final NDArray layerNorm2Weight; // layer_norm2.weight [W]
    private final NDArray layerNorm2Bias; // layer_norm2.bias [W]

    ClipEncoderLayer(Params w, ClipConfig c, Map<String, LoraLinear> registry) {
        config = c;
        long width = c.hiddenSize();
        Params attn = w.pp("self_attn");
        qProj = LoraLinear.load(attn, "q_proj", width, width, true, registry);
        kProj = LoraLinear.load(attn, "k_proj", width, width, true, registry);
        vProj = LoraLinear.load(attn, "v_proj", width, width, true, registry);
        outProj = LoraLinear.load(attn, "out_proj", width, width, true, registry);
        layerNorm1Weight = w.get("layer_norm1.weight", width);
        layerNorm1Bias = w.get("layer_norm1.bias", width);
        fc1 = LoraLinear.load(w, "mlp.fc1", c.intermediateSize(), width, true, registry);
        fc2 = LoraLinear.load(w, "mlp.fc2", width, c.intermediateSize(), true, registry);
        layerNorm2Weight = w.get("layer_norm2.weight", width);
        layerNorm2Bias = w.get("layer_norm2.bias", width);
    }

    /** h [B, L, W], causal [L, L] boolean (true = may attend) → [B, L, W]. */
    NDArray forward(NDArray h, NDArray causal) {
        int heads = config.numAttentionHeads();
        NDArray x = Ops.layerNorm(h, layerNorm1Weight, layerNorm1Bias, config.layerNormEps());
        NDArray q = Ops.splitHeads(qProj.forward(x), heads); // [B, H, L, hd]
        NDArray k = Ops.splitHeads(kProj.forward(x), heads);
        NDArray v = Ops.splitHeads(vProj.forward(x), heads);
        NDArray a = Ops.mergeHeads(Ops.attention(q, k, v, causal)); // scale 1/√hd
        h = h.add(outProj.forward(a));
        x = Ops.layerNorm(h, layerNorm2Weight, layerNorm2Bias, config.layerNormEps());
        x = fc1.forward(x); // [B, L, I]
        x = config.hiddenAct() == ClipConfig.Activation.QUICK_GELU ? Ops.quickGelu(x) : Ops.gelu(x);
        return h.add(fc2.forward(x));
    }
}
