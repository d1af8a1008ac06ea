package studio.diffusion.mmdit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import studio.core.device.Precision;
import studio.core.ops.Kernels;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;
import studio.diffusion.lora.LoraLinear;

/**
 * {@code time_text_embed} (CombinedTimestepTextProjEmbeddings): temb = TimestepEmbedding(sinusoid(t)) +
 * PixArtAlphaTextProjection(pooled) (SD3.md §1.4 steps 3–4). One vector conditions every block.
 */
final class TimeTextEmbed {
    static final int FREQ_DIM = 256;

    private final LoraLinear timeLinear1; // timestep_embedder.linear_1 [D, 256]
    private final LoraLinear timeLinear2; // timestep_embedder.linear_2 [D, D]
    private final LoraLinear textLinear1; // text_embedder.linear_1 [D, pooled]
    private final LoraLinear textLinear2; // text_embedder.linear_2 [D, D]
    private final NDArray freqs; // [1, 128] fp32, exp(−ln(10000)·k/128)
    private final Precision precision;

    TimeTextEmbed(Params w, MmditConfig c, Map<String, LoraLinear> registry) {
        int d = c.hidden();
        timeLinear1 = LoraLinear.load(w, "timestep_embedder.linear_1", d, FREQ_DIM, true, registry);
        timeLinear2 = LoraLinear.load(w, "timestep_embedder.linear_2", d, d, true, registry);
        textLinear1 = LoraLinear.load(w, "text_embedder.linear_1", d, c.pooledProjectionDim(), true, registry);
        textLinear2 = LoraLinear.load(w, "text_embedder.linear_2", d, d, true, registry);
        freqs = frequencies(w.manager());
        precision = w.precision();
    }

    /** In the same float32 op order as the reference, so the arguments t·f_k round identically. */
    static NDArray frequencies(NDManager manager) {
        return manager.arange(0f, FREQ_DIM / 2f, 1f, DataType.FLOAT32).mul((float) -Math.log(10000.0))
                .div((float) (FREQ_DIM / 2)).exp().reshape(1, FREQ_DIM / 2);
    }

    /** t [B] fp32 (σ·1000, not rounded) → [B, 256] = [cos(t·f), sin(t·f)] (flip_sin_to_cos, §7.7), fp32. */
    static NDArray sinusoid(NDArray t, NDArray freqs) {
        NDArray a = t.reshape(-1, 1).mul(freqs);
        return NDArrays.concat(new ai.djl.ndarray.NDList(a.cos(), a.sin()), 1);
    }

    /** t [B] fp32, pooled [B, P] (compute dtype) → temb [B, D]. */
    NDArray forward(NDArray t, NDArray pooled) {
        NDArray e = sinusoid(t, freqs);
        if (precision != Precision.F32) {
            e = Kernels.of(e).cast(e, precision);
        }
        NDArray tt = timeLinear2.forward(Ops.silu(timeLinear1.forward(e)));
        NDArray ty = textLinear2.forward(Ops.silu(textLinear1.forward(pooled)));
        return tt.add(ty);
    }
}
