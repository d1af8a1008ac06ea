package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * The building blocks the PanCaper parts share, each a plain holder of its checkpoint tensors with an
 * activation-first forward through {@link Ops} (STYLE.md (a) 9, (c) 1).
 */
final class Layers {
    private Layers() {}

    static final double LN_EPS = 1e-5;

    /** {@code weight} [out, in], {@code bias} [out] (torch.nn.Linear). */
    record Linear(NDArray w, NDArray b) {
        static Linear of(Params p, String name, long out, long in) {
            Params q = p.pp(name);
            return new Linear(q.get("weight", out, in), q.get("bias", out));
        }

        /** [..., in] → [..., out]. */
        NDArray forward(NDArray x) {
            return Ops.linear(x, w, b);
        }
    }

    /** LayerNorm with affine, {@code weight}/{@code bias} [D]; the key must contain "norm". */
    record Norm(NDArray w, NDArray b) {
        static Norm of(Params p, String name, long d) {
            Params q = p.pp(name);
            return new Norm(q.get("weight", d), q.get("bias", d));
        }

        /** [..., D] → [..., D]. */
        NDArray forward(NDArray x) {
            return Ops.layerNorm(x, w, b, LN_EPS);
        }
    }

    /** Conv k×k → GroupNorm (8 groups, or the largest divisor below) → GELU, the conv-GN-act unit of Mask2Former's pixel decoder (Conv2d with norm). */
    record ConvUnit(NDArray w, NDArray b, NDArray gnW, NDArray gnB, int stride, int groups) {
        static ConvUnit of(Params p, String name, int out, int in, int k, int stride) {
            Params q = p.pp(name);
            return new ConvUnit(q.get("weight", out, in, k, k), q.get("bias", out), q.get("norm.weight", out),
                    q.get("norm.bias", out), stride, groups(out));
        }

        /** The largest group count ≤ 8 that divides the channels. */
        static int groups(int channels) {
            int g = Math.min(8, channels);
            while (channels % g != 0) {
                g--;
            }
            return g;
        }

        /** [B, in, H, W] → [B, out, H/stride, W/stride] (padding k/2). */
        NDArray forward(NDArray x) {
            int pad = (int) (w.getShape().get(2) / 2);
            NDArray y = Ops.conv2d(x, w, b, stride, pad);
            return Ops.gelu(Ops.groupNorm(y, groups, gnW, gnB, 1e-5));
        }
    }

    /** 1×1 conv (a lateral projection), {@code weight} [out, in, 1, 1]. */
    record Conv1x1(NDArray w, NDArray b) {
        static Conv1x1 of(Params p, String name, int out, int in) {
            Params q = p.pp(name);
            return new Conv1x1(q.get("weight", out, in, 1, 1), q.get("bias", out));
        }

        /** [B, in, H, W] → [B, out, H, W]. */
        NDArray forward(NDArray x) {
            return Ops.conv2d(x, w, b, 1, 0);
        }
    }

    /** Multi-head attention with separate q/k/v/out projections (torch.nn.MultiheadAttention's maths). */
    record Attention(Linear q, Linear k, Linear v, Linear out, int heads) {
        static Attention of(Params p, String name, int d, int heads) {
            Params a = p.pp(name);
            return new Attention(Linear.of(a, "q", d, d), Linear.of(a, "k", d, d), Linear.of(a, "v", d, d),
                    Linear.of(a, "out", d, d), heads);
        }

        /** q [B, Lq, D], k and v [B, Lk, D], mask boolean broadcastable to [B, H, Lq, Lk] or null → [B, Lq, D]. */
        NDArray forward(NDArray xq, NDArray xk, NDArray xv, NDArray mask) {
            NDArray qh = Ops.splitHeads(q.forward(xq), heads);
            NDArray kh = Ops.splitHeads(k.forward(xk), heads);
            NDArray vh = Ops.splitHeads(v.forward(xv), heads);
            NDArray o = mask == null ? Ops.attention(qh, kh, vh) : Ops.attention(qh, kh, vh, mask);
            return out.forward(Ops.mergeHeads(o));
        }
    }

    /** fc1 (D → hidden), GELU, fc2 (hidden → D). */
    record Ffn(Linear fc1, Linear fc2) {
        static Ffn of(Params p, String name, int d, int hidden) {
            Params f = p.pp(name);
            return new Ffn(Linear.of(f, "fc1", hidden, d), Linear.of(f, "fc2", d, hidden));
        }

        /** [..., D] → [..., D]. */
        NDArray forward(NDArray x) {
            return fc2.forward(Ops.gelu(fc1.forward(x)));
        }
    }
}
