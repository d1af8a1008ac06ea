package studio.diffusion.mmdit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.Map;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;
import studio.diffusion.lora.LoraLinear;

/**
 * {@code transformer_blocks.{i}}: JointTransformerBlock (SD3.md §1.4.1), the context_pre_only last block
 * (§1.4.2) and SD3.5's dual-attention variant (§1.4.3). All LayerNorms are parameter-free, eps 1e-6.
 */
final class JointTransformerBlock {
    private static final double EPS = 1e-6;

    private final int d;
    private final boolean dual;
    private final boolean contextPreOnly;
    private final LoraLinear norm1; // norm1.linear [6D or 9D (dual), D]
    private final LoraLinear norm1Context; // norm1_context.linear [6D, D], or [2D, D] (AdaLayerNormContinuous, last)
    private final Attention attn; // attn
    private final Attention attn2; // attn2 (dual only)
    private final FeedForward ff; // ff
    private final FeedForward ffContext; // ff_context (absent in the last block)

    JointTransformerBlock(Params w, MmditConfig c, int index, Map<String, LoraLinear> registry) {
        d = c.hidden();
        dual = c.isDual(index);
        contextPreOnly = c.contextPreOnly(index);
        norm1 = LoraLinear.load(w, "norm1.linear", (dual ? 9L : 6L) * d, d, true, registry);
        norm1Context = LoraLinear.load(w, "norm1_context.linear", (contextPreOnly ? 2L : 6L) * d, d, true, registry);
        attn = new Attention(w.pp("attn"), c, true, contextPreOnly, registry);
        attn2 = dual ? new Attention(w.pp("attn2"), c, false, false, registry) : null;
        ff = new FeedForward(w.pp("ff"), d, registry);
        ffContext = contextPreOnly ? null : new FeedForward(w.pp("ff_context"), d, registry);
    }

    /** x [B, N, D], c [B, T, D], siluTemb = SiLU(temb) [B, D] → (x, c) (c null for the last block). */
    Streams forward(NDArray x, NDArray c, NDArray siluTemb) {
        // AdaLayerNormZero(X): shift, scale, gate (msa), shift, scale, gate (mlp)[, msa2] (§7.2)
        NDList m = norm1.forward(siluTemb).split(dual ? 9 : 6, 1);
        Modulation msa = Modulation.of(m, 0);
        Modulation mlp = Modulation.of(m, 3);
        NDArray xh = Ops.layerNormModulate(x, msa.shift(), msa.scale(), EPS);
        NDList mc = norm1Context.forward(siluTemb).split(contextPreOnly ? 2 : 6, 1);
        NDArray ch = contextPreOnly
                ? Ops.layerNormModulate(c, mc.get(1), mc.get(0), EPS) // AdaLayerNormContinuous: scale, shift (§7.2)
                : Ops.layerNormModulate(c, mc.get(0), mc.get(1), EPS);
        Streams a = attn.joint(xh, ch);
        NDArray input = x;
        x = Ops.addGated(x, msa.gate(), a.x());
        if (dual) { // SD35AdaLayerNormZeroX: x̂₂ from the same LN(block input) as x̂ (§1.4.3)
            Modulation msa2 = Modulation.of(m, 6);
            NDArray xh2 = Ops.layerNormModulate(input, msa2.shift(), msa2.scale(), EPS);
            x = Ops.addGated(x, msa2.gate(), attn2.self(xh2));
        }
        x = Ops.addGated(x, mlp.gate(), ff.forward(Ops.layerNormModulate(x, mlp.shift(), mlp.scale(), EPS)));
        if (contextPreOnly) {
            return new Streams(x, null);
        }
        Modulation cmsa = Modulation.of(mc, 0);
        Modulation cmlp = Modulation.of(mc, 3);
        c = Ops.addGated(c, cmsa.gate(), a.c());
        c = Ops.addGated(c, cmlp.gate(), ffContext.forward(Ops.layerNormModulate(c, cmlp.shift(), cmlp.scale(), EPS)));
        return new Streams(x, c);
    }
}
