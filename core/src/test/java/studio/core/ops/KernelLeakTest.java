package studio.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.Field;
import java.util.Map;
import org.junit.jupiter.api.Test;
import studio.core.device.Precision;
import studio.core.device.Torch;

/** Kernel calls inside per-step sub-managers leave nothing behind (STYLE.md pitfall 2). */
class KernelLeakTest {

    /** BaseNDManager keeps attached arrays and sub-managers in a protected map; count it. */
    private static int attachedResources(NDManager manager) throws ReflectiveOperationException {
        Field resources = BaseNDManager.class.getDeclaredField("resources");
        resources.setAccessible(true);
        return ((Map<?, ?>) resources.get(manager)).size();
    }

    @Test
    void twoHundredStepsInSubManagersDoNotGrowTheParent() throws ReflectiveOperationException {
        Kernels kernels = Kernels.on(Device.cpu());
        try (NDManager parent = Torch.engine().newBaseManager(Device.cpu())) {
            NDArray weight = parent.randomNormal(new Shape(64));
            NDArray bias = parent.randomNormal(new Shape(64));
            int before = attachedResources(parent);
            long ivaluesBefore = Kernels.liveIValues();
            for (int step = 0; step < 200; step++) {
                try (NDManager scope = parent.newSubManager()) {
                    NDArray q = scope.randomNormal(new Shape(1, 2, 16, 8));
                    NDArray a = Ops.attention(q, q, q);
                    NDArray g = Ops.groupNorm(scope.randomNormal(new Shape(1, 64, 2, 2)), 32, weight, bias, 1e-6);
                    NDArray b = kernels.cast(a, Precision.BF16);
                    assertSame(scope, a.getManager());
                    assertSame(scope, g.getManager(), "weights first would attach to the parent");
                    assertSame(Precision.BF16, kernels.precisionOf(b));
                }
                assertEquals(ivaluesBefore, Kernels.liveIValues(), "IValues left open after step " + step);
            }
            assertEquals(before, attachedResources(parent), "arrays attached to the parent");
        }
    }
}
