package studio.core.ops;

import static studio.core.ops.TensorChecks.assertClose;
import static studio.core.ops.TensorChecks.assertSameForwardAndBackward;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import studio.core.device.Torch;

/** Each fused op against its composite twin in fp32: forward and gradients wrt inputs and weights. */
class OpsParityTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        Engine engine = Torch.engine();
        engine.setRandomSeed(1234);
        manager = engine.newBaseManager(Device.cpu());
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray randn(long... shape) {
        return manager.randomNormal(new Shape(shape));
    }

    @Test
    void attentionWithoutMask() {
        // [B, H, L, D] = 2×4×37×16; k/v length differs from q to catch transposed axes.
        assertSameForwardAndBackward("attention",
                a -> Ops.attention(a[0], a[1], a[2]),
                a -> Ops.Plain.attention(a[0], a[1], a[2]),
                randn(2, 4, 37, 16), randn(2, 4, 29, 16), randn(2, 4, 29, 16));
    }

    @Test
    void attentionWithAdditiveMask() {
        NDArray mask = randn(2, 1, 37, 37).mul(3); // broadcast over heads
        assertSameForwardAndBackward("attention additive mask",
                a -> Ops.attention(a[0], a[1], a[2], mask),
                a -> Ops.Plain.attention(a[0], a[1], a[2], mask, 0.25),
                randn(2, 4, 37, 16), randn(2, 4, 37, 16), randn(2, 4, 37, 16));
    }

    @Test
    void attentionWithCausalBooleanMaskAndExplicitScale() {
        // CLIP's causal mask: query i may attend keys 0..i (true = attend).
        NDArray rows = manager.arange(37).reshape(37, 1);
        NDArray cols = manager.arange(37).reshape(1, 37);
        NDArray causal = cols.lte(rows);
        assertSameForwardAndBackward("attention causal mask",
                a -> Ops.attention(a[0], a[1], a[2], causal, 1.0),
                a -> Ops.Plain.attention(a[0], a[1], a[2], causal, 1.0),
                randn(2, 4, 37, 16), randn(2, 4, 37, 16), randn(2, 4, 37, 16));
    }

    @Test
    void splitAndMergeHeadsAreInverse() {
        NDArray x = randn(2, 37, 64);
        NDArray heads = Ops.splitHeads(x, 4);
        assertClose(x, Ops.mergeHeads(heads), "merge(split(x))");
        assertClose(x.get(":, :, 16:32"), heads.get(":, 1, :, :"), "head 1 holds columns 16..31");
    }

    @Test
    void groupNormVaeShape() {
        // SD3 VAE: GroupNorm(32, C, eps 1e-6); weight and bias not 1/0 so their gradients matter.
        assertSameForwardAndBackward("group norm",
                a -> Ops.groupNorm(a[0], 32, a[1], a[2], 1e-6),
                a -> Ops.Plain.groupNorm(a[0], 32, a[1], a[2], 1e-6),
                randn(2, 64, 8, 8).mul(2).add(0.5), randn(64), randn(64));
    }

    @Test
    void rmsNormWithAndWithoutWeight() {
        assertSameForwardAndBackward("rms norm",
                a -> Ops.rmsNorm(a[0], a[1], 1e-6),
                a -> Ops.Plain.rmsNorm(a[0], a[1], 1e-6),
                randn(2, 7, 64), randn(64));
        assertSameForwardAndBackward("rms norm without weight",
                a -> Ops.rmsNorm(a[0], null, 1e-6),
                a -> Ops.Plain.rmsNorm(a[0], null, 1e-6),
                randn(2, 4, 7, 16));
    }

    @Test
    void layerNormAffineAndPlain() {
        assertSameForwardAndBackward("layer norm affine (CLIP, eps 1e-5)",
                a -> Ops.layerNorm(a[0], a[1], a[2], 1e-5),
                a -> Ops.Plain.layerNorm(a[0], a[1], a[2], 1e-5),
                randn(2, 7, 48), randn(48), randn(48));
        assertSameForwardAndBackward("layer norm no affine (SD3, eps 1e-6)",
                a -> Ops.layerNorm(a[0], null, null, 1e-6),
                a -> Ops.Plain.layerNorm(a[0], null, null, 1e-6),
                randn(2, 7, 48));
    }

    @Test
    void adaLayerNormModulateAndGatedResidual() {
        assertSameForwardAndBackward("layerNormModulate",
                a -> Ops.layerNormModulate(a[0], a[1], a[2], 1e-6),
                a -> Ops.Plain.layerNormModulate(a[0], a[1], a[2], 1e-6),
                randn(2, 11, 32), randn(2, 32), randn(2, 32));
        assertSameForwardAndBackward("modulate",
                a -> Ops.modulate(a[0], a[1], a[2]),
                a -> Ops.Plain.modulate(a[0], a[1], a[2]),
                randn(2, 11, 32), randn(2, 32), randn(2, 32));
        assertSameForwardAndBackward("addGated",
                a -> Ops.addGated(a[0], a[1], a[2]),
                a -> Ops.Plain.addGated(a[0], a[1], a[2]),
                randn(2, 11, 32), randn(2, 32), randn(2, 11, 32));
    }

    @Test
    void linearWithAndWithoutBias() {
        assertSameForwardAndBackward("linear",
                a -> Ops.linear(a[0], a[1], a[2]),
                a -> Ops.Plain.linear(a[0], a[1], a[2]),
                randn(2, 5, 24), randn(40, 24), randn(40));
        assertSameForwardAndBackward("linear without bias",
                a -> Ops.linear(a[0], a[1], null),
                a -> Ops.Plain.linear(a[0], a[1], null),
                randn(3, 24), randn(40, 24));
    }

    @Test
    void activations() {
        NDArray x = randn(4, 333).mul(3);
        assertSameForwardAndBackward("gelu tanh", a -> Ops.geluTanh(a[0]), a -> Ops.Plain.geluTanh(a[0]), x);
        assertSameForwardAndBackward("gelu exact", a -> Ops.gelu(a[0]), a -> Ops.Plain.gelu(a[0]), x);
        assertSameForwardAndBackward("quick gelu", a -> Ops.quickGelu(a[0]), a -> Ops.Plain.quickGelu(a[0]), x);
        assertSameForwardAndBackward("silu", a -> Ops.silu(a[0]), a -> Ops.Plain.silu(a[0]), x);
    }

    @Test
    void tanhAndExactGeluDiffer() {
        // Guards against one silently standing in for the other (SD3 FF vs OpenCLIP bigG).
        NDArray x = manager.create(new float[] {-3f, -1.5f, 2f}, new Shape(3));
        double diff = TensorChecks.maxAbsDiff(Ops.gelu(x), Ops.geluTanh(x));
        org.junit.jupiter.api.Assertions.assertTrue(diff > 1e-4, "gelu vs gelu_tanh differ by " + diff);
    }

    @Test
    void resultsLandInTheActivationsManager() {
        try (NDManager weights = manager.newSubManager(); NDManager step = manager.newSubManager()) {
            NDArray w = weights.randomNormal(new Shape(8, 4));
            NDArray b = weights.zeros(new Shape(8), DataType.FLOAT32);
            NDArray x = step.randomNormal(new Shape(2, 4));
            org.junit.jupiter.api.Assertions.assertSame(step, Ops.linear(x, w, b).getManager());
            org.junit.jupiter.api.Assertions.assertSame(step, Ops.groupNorm(
                    step.randomNormal(new Shape(1, 8, 2, 2)), 4, w.get(":, 0"), b, 1e-6).getManager());
        }
    }
}
