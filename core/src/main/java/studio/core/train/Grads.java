package studio.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradients of our own parameter list, handled the way DJL's PyTorch engine needs (STYLE.md (c) 5, 6):
 * each {@code getGradient()} handle is attached to a short-lived manager and so closed after use, and
 * gradients are zeroed per parameter after the update, never through {@code GradientCollector.zeroGradients()}
 * (which scans every array of the process). Gradients accumulate across backward passes until
 * {@link #zero}, which is how gradient accumulation works.
 */
public final class Grads {
    private Grads() {}

    /** The gradient handle of every parameter that has one, attached to {@code into} (absent = no gradient yet). */
    public static Map<String, NDArray> of(Map<String, NDArray> params, NDManager into) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray g;
            try {
                g = e.getValue().getGradient();
            } catch (IllegalStateException noGradient) {
                continue;
            }
            g.attach(into);
            out.put(e.getKey(), g);
        }
        return out;
    }

    /** Zeroes each parameter's gradient in place (a NaN gradient becomes 0 too). */
    public static void zero(Map<String, NDArray> params) {
        for (NDArray p : params.values()) {
            if (JniUtils.requiresGrad((PtNDArray) p)) {
                try (NDArray g = p.getGradient()) {
                    JniUtils.zeroGrad((PtNDArray) p);
                } catch (IllegalStateException noGradient) {
                    // nothing accumulated on this parameter yet
                }
            }
        }
    }

    /**
     * torch.nn.utils.clip_grad_norm_ (torch 1.13, L2): total = ‖(‖g₁‖, …, ‖gₙ‖)‖, every gradient multiplied in
     * place by min(1, maxNorm / (total + 1e-6)). Returns the total norm before clipping (NaN/Inf passes through,
     * for the caller's guard). maxNorm ≤ 0 measures without clipping.
     */
    public static float clipGlobalNorm(Iterable<NDArray> grads, double maxNorm) {
        List<NDArray> norms = new ArrayList<>();
        NDManager tmp = null;
        for (NDArray g : grads) {
            tmp = tmp == null ? g.getManager().newSubManager() : tmp;
            NDArray n = g.norm();
            n.attach(tmp);
            norms.add(n);
        }
        if (tmp == null) {
            return 0f;
        }
        try (NDManager scope = tmp) {
            NDArray total = NDArrays.stack(new NDList(norms)).norm();
            total.attach(scope);
            float value = total.getFloat();
            if (maxNorm > 0) {
                NDArray coef = scope.create((float) maxNorm).div(total.add(1e-6f)).minimum(1f);
                for (NDArray g : grads) {
                    g.muli(coef);
                }
            }
            return value;
        }
    }
}
