package studio.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import java.util.function.Function;

/** Comparison and gradient helpers shared by the kernel tests. */
final class TensorChecks {

    /** fp32 tolerance of fused vs composite, forward and backward (the task's acceptance bound). */
    static final double TOLERANCE = 1e-5;

    private TensorChecks() {}

    static double maxAbsDiff(NDArray a, NDArray b) {
        assertEquals(a.getShape(), b.getShape(), "shapes differ");
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs((double) x[i] - y[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    static void assertClose(NDArray expected, NDArray actual, String what) {
        double diff = maxAbsDiff(expected, actual);
        assertTrue(diff <= TOLERANCE, what + ": max abs diff " + diff + " > " + TOLERANCE);
    }

    /**
     * Gradients of sum(f(inputs) · upstream) with respect to each input, computed on fresh copies
     * (libtorch accumulates into .grad and DJL's collector does not zero it).
     */
    static NDArray[] gradients(Function<NDArray[], NDArray> f, NDArray upstream, NDArray... inputs) {
        NDArray[] leaves = new NDArray[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            leaves[i] = inputs[i].duplicate();
            leaves[i].setRequiresGradient(true);
        }
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray out = f.apply(leaves);
            collector.backward(out.mul(upstream).sum());
        }
        NDArray[] grads = new NDArray[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            grads[i] = leaves[i].getGradient();
        }
        return grads;
    }

    /** Forward and every input gradient of fused vs plain agree within {@link #TOLERANCE}. */
    static void assertSameForwardAndBackward(String what, Function<NDArray[], NDArray> fused,
            Function<NDArray[], NDArray> plain, NDArray... inputs) {
        NDArray expected = plain.apply(inputs);
        NDArray actual = fused.apply(inputs);
        assertClose(expected, actual, what + " forward");
        NDArray upstream = expected.getManager().randomNormal(expected.getShape());
        NDArray[] plainGrads = gradients(plain, upstream, inputs);
        NDArray[] fusedGrads = gradients(fused, upstream, inputs);
        for (int i = 0; i < inputs.length; i++) {
            assertTrue(plainGrads[i].abs().max().getFloat() > 0, what + ": plain gradient " + i + " is zero");
            assertClose(plainGrads[i], fusedGrads[i], what + " gradient wrt input " + i);
        }
    }
}
