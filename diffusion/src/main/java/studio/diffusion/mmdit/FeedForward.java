package studio.diffusion.mmdit;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;
import studio.diffusion.lora.LoraLinear;

/** {@code ff} / {@code ff_context}: net.0.proj (D→4D), tanh-GELU, [net.1 Dropout], net.2 (4D→D) (SD3.md §1.4.1). */
final class FeedForward {
    private final LoraLinear proj; // net.0.proj [4D, D]
    private final LoraLinear out; // net.2 [D, 4D]

    FeedForward(Params w, int d, Map<String, LoraLinear> registry) {
        proj = LoraLinear.load(w, "net.0.proj", 4L * d, d, true, registry);
        out = LoraLinear.load(w, "net.2", d, 4L * d, true, registry);
    }

    /** [B, L, D] → [B, L, D]. */
    NDArray forward(NDArray x) {
        return out.forward(Ops.geluTanh(proj.forward(x)));
    }
}
