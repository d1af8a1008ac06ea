package studio.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import studio.core.device.Torch;

/**
 * How autograd crosses the TorchScript boundary. Per-op gradient parity is in OpsParityTest; this
 * pins down the mechanism ({@link ScriptMethods}) and why DJL's public route is not used.
 */
class KernelGradientTest {

    private PtNDManager manager;

    @BeforeEach
    void open() {
        manager = (PtNDManager) Torch.engine().newBaseManager(Device.cpu());
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void djlsRunMethodRecordsNoGraphEvenInsideACollector() throws IOException {
        byte[] archive = TorchScriptArchive.build("kernels", Kernels.CLASS_NAME, Kernels.source());
        try (PtSymbolBlock module = JniUtils.loadModule(manager, new ByteArrayInputStream(archive), true, false)) {
            NDArray x = manager.randomNormal(new Shape(5));
            x.setRequiresGradient(true);
            try (GradientCollector collector = Torch.engine().newGradientCollector();
                    IValue in = IValue.from((PtNDArray) x);
                    IValue out = IValueUtils.runMethod(module, "silu", in)) {
                assertTrue(JniUtils.isGradMode());
                NDArray y = out.toTensor(manager);
                EngineException e = assertThrows(EngineException.class, () -> collector.backward(y.sum()));
                assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
            }
        }
    }

    @Test
    void kernelOutputCarriesTheGraphInsideACollector() {
        NDArray x = manager.randomNormal(new Shape(5));
        x.setRequiresGradient(true);
        try (GradientCollector collector = Torch.engine().newGradientCollector()) {
            collector.backward(Ops.silu(x).sum());
        }
        // d/dx silu = s·(1 + x·(1 − s)), s = sigmoid(x)
        float[] xs = x.toFloatArray();
        float[] grad = x.getGradient().toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            double s = 1 / (1 + Math.exp(-xs[i]));
            assertTrue(Math.abs(s * (1 + xs[i] * (1 - s)) - grad[i]) < 1e-6, "gradient " + i);
        }
    }

    @Test
    void kernelOutputMadeWithoutGradModeIsAnOrdinaryTensorUsableInALaterGraph() {
        // e.g. frozen text embeddings computed at inference, then used while training a LoRA.
        // Under DJL's runMethod this fails: "Inference tensors cannot be saved for backward".
        assertFalse(JniUtils.isGradMode());
        NDArray frozen = Ops.silu(manager.randomNormal(new Shape(6)));
        NDArray w = manager.ones(new Shape(6));
        w.setRequiresGradient(true);
        try (GradientCollector collector = Torch.engine().newGradientCollector()) {
            collector.backward(w.mul(frozen).sum());
        }
        assertArrayEquals(frozen.toFloatArray(), w.getGradient().toFloatArray());
        assertFalse(JniUtils.isGradMode(), "the collector restores grad mode off");
    }
}
