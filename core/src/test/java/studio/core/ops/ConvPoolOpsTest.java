package studio.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static studio.core.ops.TensorChecks.assertClose;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import studio.core.device.Torch;

/** The convolution, batch-norm and pooling entry points the FID Inception uses (eval-geneval). */
class ConvPoolOpsTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        Engine engine = Torch.engine();
        engine.setRandomSeed(99);
        manager = engine.newBaseManager(Device.cpu());
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void batchNormMatchesItsFormula() {
        NDArray x = manager.randomNormal(new Shape(2, 5, 7, 3));
        NDArray mean = manager.randomNormal(new Shape(5));
        NDArray var = manager.randomUniform(0.5f, 2f, new Shape(5));
        NDArray w = manager.randomNormal(new Shape(5));
        NDArray b = manager.randomNormal(new Shape(5));
        assertClose(Ops.Plain.batchNorm(x, mean, var, w, b, 1e-3), Ops.batchNorm(x, mean, var, w, b, 1e-3), "batch norm");
    }

    @Test
    void reluMatchesItsFormula() {
        NDArray x = manager.randomNormal(new Shape(3, 17));
        assertClose(Ops.Plain.relu(x), Ops.relu(x), "relu");
    }

    @Test
    void rectangularConvolutionEqualsASquareKernelWithZeroRows() {
        NDArray x = manager.randomNormal(new Shape(1, 3, 9, 8));
        NDArray w13 = manager.randomNormal(new Shape(4, 3, 1, 3));
        NDArray w33 = manager.zeros(new Shape(4, 3, 3, 3));
        w33.set(new NDIndex(":, :, 1:2, :"), w13);
        NDArray rect = Ops.conv2d(x, w13, null, new int[] {1, 1}, new int[] {0, 1});
        NDArray square = Ops.conv2d(x, w33, null, 1, 1);
        assertEquals(new Shape(1, 4, 9, 8), rect.getShape());
        assertClose(square, rect, "1×3 with padding (0, 1) = 3×3 with zero top and bottom rows");
        NDArray strided = Ops.conv2d(x, w13, null, new int[] {2, 1}, new int[] {0, 1});
        assertEquals(new Shape(1, 4, 5, 8), strided.getShape(), "stride is {height, width}");
    }

    @Test
    void averagePoolingCanLeaveThePaddingOutOfTheDivisor() {
        NDArray x = manager.arange(1f, 10f).reshape(1, 1, 3, 3); // 1..9
        float[] exclude = Ops.avgPool2d(x, 3, 1, 1, false).toFloatArray();
        float[] include = Ops.avgPool2d(x, 3, 1, 1, true).toFloatArray();
        assertEquals((1 + 2 + 4 + 5) / 4f, exclude[0], 1e-6f, "corner: 4 real values");
        assertEquals((1 + 2 + 4 + 5) / 9f, include[0], 1e-6f, "corner: divided by the full window");
        assertEquals((1 + 2 + 3 + 4 + 5 + 6) / 6f, exclude[1], 1e-6f, "edge: 6 real values");
        assertEquals(5f, exclude[4], 1e-6f, "centre: all 9");
    }

    @Test
    void maxPoolingIgnoresPaddingAndFloorsTheOutputSize() {
        NDArray x = manager.create(new float[] {-5, -4, -3, -2, -1, -6, -7, -8, -9}, new Shape(1, 1, 3, 3));
        assertArrayEquals(new float[] {-1, -1, -1, -1, -1, -1, -1, -1, -1}, Ops.maxPool2d(x, 3, 1, 1).toFloatArray(),
                "padding must not win over negative values");
        assertEquals(new Shape(1, 1, 3, 3), Ops.maxPool2d(manager.zeros(new Shape(1, 1, 8, 8)), 3, 2, 0).getShape(),
                "floor((8 - 3) / 2) + 1 = 3");
    }
}
