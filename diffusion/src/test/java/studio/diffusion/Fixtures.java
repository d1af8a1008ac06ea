package studio.diffusion;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import studio.core.safetensors.SafeTensors;

/** The committed parity fixtures of tools/reference/sd3_reference.py, and the comparison used against them. */
public final class Fixtures {
    private Fixtures() {}

    /** {@code fixtures/mmdit/<relative>} on the test classpath. */
    public static Path mmdit(String relative) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/mmdit/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SafeTensors open(String relative) {
        try {
            return SafeTensors.open(mmdit(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The F32 tensor {@code name} of {@code file} as an fp32 array in {@code manager}. */
    public static NDArray get(SafeTensors file, String name, NDManager manager) {
        return manager.create(file.readFloats(name), new Shape(file.info(name).shape()));
    }

    public static float maxAbsDiff(NDArray actual, NDArray expected) {
        assertTrue(actual.getShape().equals(expected.getShape()),
                "shape " + actual.getShape() + " vs expected " + expected.getShape());
        return actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).sub(expected).abs().max().getFloat();
    }

    /** Asserts max |actual − expected| ≤ tol and prints the error (the evidence quoted in reports). */
    public static float assertClose(String what, NDArray actual, NDArray expected, double tol) {
        float err = maxAbsDiff(actual, expected);
        System.out.printf("parity %-40s max abs err %.3e%n", what, err);
        assertTrue(err <= tol, what + ": max abs error " + err + " > " + tol);
        return err;
    }
}
