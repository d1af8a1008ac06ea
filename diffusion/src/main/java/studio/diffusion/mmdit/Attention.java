package studio.diffusion.mmdit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.Map;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;
import studio.diffusion.lora.LoraLinear;

/**
 * {@code attn} (joint attention, JointAttnProcessor2_0) and {@code attn2} (SD3.5's image-only
 * self-attention, AttnProcessor2_0), SD3.md §1.4.1 and §1.4.3. No mask, no dropout, scale 1/√head_dim.
 * Not implemented from diffusers' Attention: cross-attention norms, residual connections, rescaling
 * (all unused by SD3).
 */
final class Attention {
    /** Projected q, k, v, each [B, H, L, head_dim]. */
    record Qkv(NDArray q, NDArray k, NDArray v) {}

    private static final double RMS_EPS = 1e-6;

    private final int heads;
    private final LoraLinear toQ; // to_q [D, D]
    private final LoraLinear toK; // to_k [D, D]
    private final LoraLinear toV; // to_v [D, D]
    private final NDArray normQ; // norm_q.weight [head_dim] or null
    private final NDArray normK; // norm_k.weight [head_dim] or null
    private final LoraLinear addQ; // add_q_proj [D, D] (joint only)
    private final LoraLinear addK; // add_k_proj
    private final LoraLinear addV; // add_v_proj
    private final NDArray normAddedQ; // norm_added_q.weight [head_dim] or null
    private final NDArray normAddedK; // norm_added_k.weight [head_dim] or null
    private final LoraLinear toOut; // to_out.0 [D, D]
    private final LoraLinear toAddOut; // to_add_out [D, D] (absent when context_pre_only)

    /**
     * @param joint whether the block has the context projections (attn) or not (attn2)
     * @param contextPreOnly no {@code to_add_out} (last block)
     */
    Attention(Params w, MmditConfig c, boolean joint, boolean contextPreOnly, Map<String, LoraLinear> registry) {
        int d = c.hidden();
        int hd = c.attentionHeadDim();
        heads = c.numAttentionHeads();
        toQ = LoraLinear.load(w, "to_q", d, d, true, registry);
        toK = LoraLinear.load(w, "to_k", d, d, true, registry);
        toV = LoraLinear.load(w, "to_v", d, d, true, registry);
        normQ = c.qkNorm() ? w.get("norm_q.weight", hd) : null;
        normK = c.qkNorm() ? w.get("norm_k.weight", hd) : null;
        addQ = joint ? LoraLinear.load(w, "add_q_proj", d, d, true, registry) : null;
        addK = joint ? LoraLinear.load(w, "add_k_proj", d, d, true, registry) : null;
        addV = joint ? LoraLinear.load(w, "add_v_proj", d, d, true, registry) : null;
        normAddedQ = joint && c.qkNorm() ? w.get("norm_added_q.weight", hd) : null;
        normAddedK = joint && c.qkNorm() ? w.get("norm_added_k.weight", hd) : null;
        toOut = LoraLinear.load(w, "to_out.0", d, d, true, registry);
        toAddOut = joint && !contextPreOnly ? LoraLinear.load(w, "to_add_out", d, d, true, registry) : null;
    }

    private Qkv project(NDArray x, LoraLinear q, LoraLinear k, LoraLinear v, NDArray nq, NDArray nk) {
        NDArray qh = Ops.splitHeads(q.forward(x), heads);
        NDArray kh = Ops.splitHeads(k.forward(x), heads);
        if (nq != null) { // RMSNorm per head over head_dim, eps 1e-6 (SD3.md §1.3 SD3.5 extras)
            qh = Ops.rmsNorm(qh, nq, RMS_EPS);
            kh = Ops.rmsNorm(kh, nk, RMS_EPS);
        }
        return new Qkv(qh, kh, Ops.splitHeads(v.forward(x), heads));
    }

    /**
     * Joint attention: x̂ [B, N, D], ĉ [B, T, D] → (a_x [B, N, D], a_c [B, T, D] or null when
     * context_pre_only). Image tokens first, then text (SD3.md §7.6).
     */
    Streams joint(NDArray x, NDArray c) {
        Qkv img = project(x, toQ, toK, toV, normQ, normK);
        Qkv txt = project(c, addQ, addK, addV, normAddedQ, normAddedK);
        NDArray o = Ops.attention(NDArrays.concat(new NDList(img.q(), txt.q()), 2),
                NDArrays.concat(new NDList(img.k(), txt.k()), 2),
                NDArrays.concat(new NDList(img.v(), txt.v()), 2));
        NDList split = Ops.mergeHeads(o).split(new long[] {x.getShape().get(1)}, 1);
        NDArray ax = toOut.forward(split.get(0));
        NDArray ac = toAddOut == null ? null : toAddOut.forward(split.get(1));
        return new Streams(ax, ac);
    }

    /** attn2: self-attention over image tokens only. x [B, N, D] → [B, N, D]. */
    NDArray self(NDArray x) {
        Qkv img = project(x, toQ, toK, toV, normQ, normK);
        return toOut.forward(Ops.mergeHeads(Ops.attention(img.q(), img.k(), img.v())));
    }
}
