package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * The mid-block attention (SD3.md §3.3): one head whose dim is the channel count; GroupNorm over channels,
 * q, k, v = Linear C→C on the h·w tokens, softmax(q·kᵀ/√C)·v, {@code to_out.0}, reshape back and add the
 * block input. Keys (§3.4): diffusers' {@code group_norm, to_q, to_k, to_v, to_out.0}, or the older
 * {@code query, key, value, proj_attn}; Linear weights stored [C, C] or as 1×1 convs [C, C, 1, 1].
 */
final class AttnBlock {
    private final GroupNorm norm;
    private final NDArray[] q;
    private final NDArray[] k;
    private final NDArray[] v;
    private final NDArray[] out;

    AttnBlock(Params w, int channels, int groups) {
        norm = new GroupNorm(w, "group_norm", groups, channels);
        boolean legacy = !w.contains("to_q.weight") && w.contains("query.weight");
        q = linear(w, legacy ? "query" : "to_q", channels);
        k = linear(w, legacy ? "key" : "to_k", channels);
        v = linear(w, legacy ? "value" : "to_v", channels);
        out = linear(w, legacy ? "proj_attn" : "to_out.0", channels);
    }

    /** {weight [C, C], bias [C]}; a [C, C, 1, 1] conv weight is squeezed. */
    private static NDArray[] linear(Params w, String name, int c) {
        long[] stored = w.storedShape(name + ".weight");
        NDArray weight = stored != null && stored.length == 4
                ? w.get(name + ".weight", c, c, 1, 1).reshape(c, c)
                : w.get(name + ".weight", c, c);
        return new NDArray[] {weight, w.get(name + ".bias", c)};
    }

    /** x [B, C, H, W] → x + attention(x); x is not closed. */
    NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long hw = s.get(2) * s.get(3);
        NDArray a;
        try (NDArray n = norm.forward(x); NDArray t = n.reshape(b, c, hw).transpose(0, 2, 1)) { // [B, HW, C]
            try (NDArray qh = head(t, q, b, hw, c); NDArray kh = head(t, k, b, hw, c); NDArray vh = head(t, v, b, hw, c)) {
                a = Ops.attention(qh, kh, vh); // [B, 1, HW, C], scale 1/√C
            }
        }
        try (a; NDArray merged = a.reshape(b, hw, c); NDArray o = Ops.linear(merged, out[0], out[1]);
             NDArray back = o.transpose(0, 2, 1).reshape(s)) {
            return back.add(x);
        }
    }

    private static NDArray head(NDArray t, NDArray[] lin, long b, long hw, long c) {
        try (NDArray y = Ops.linear(t, lin[0], lin[1])) {
            return y.reshape(b, 1, hw, c);
        }
    }
}
