package studio.eval.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.safetensors.DType;
import studio.core.safetensors.SafeTensorsWriter;

class FeatureFilesTest {
    @TempDir
    Path dir;

    @Test
    void f32AndF64FilesGiveTheSameStatistics() throws Exception {
        float[] values = {1, 2, 3, 5, 8, 13, 21, 34, 55};
        Path f32 = dir.resolve("a.safetensors");
        FeatureFiles.write(f32, new FeatureMatrix(3, 3, values), Map.of("extractor", "test"));
        ByteBuffer doubles = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            doubles.putDouble(v);
        }
        Path f64 = dir.resolve("b.safetensors");
        new SafeTensorsWriter().add("features", DType.F64, new long[] {3, 3}, doubles.array()).write(f64);
        GaussianStats a = FeatureFiles.statistics(f32);
        GaussianStats b = FeatureFiles.statistics(f64);
        assertArrayEquals(a.mean(), b.mean(), 0);
        assertArrayEquals(new double[] {9, 44.0 / 3, 71.0 / 3}, a.mean(), 1e-12);
        assertEquals(112, a.cov()[0][0], 1e-12); // ((1-9)² + (5-9)² + (21-9)²) / 2
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a.cov()[i], b.cov()[i], 0);
        }
        assertArrayEquals(values, FeatureFiles.read(f32).values());
    }

    @Test
    void badFeatureFilesNameTheFileAndTheProblem() throws Exception {
        Path noTensor = dir.resolve("none.safetensors");
        new SafeTensorsWriter().addF32("activations", new long[] {2, 2}, new float[4]).write(noTensor);
        assertEquals(noTensor + ": no tensor \"features\"; expected features [N, D]", message(noTensor));

        Path oneRow = dir.resolve("one.safetensors");
        new SafeTensorsWriter().addF32("features", new long[] {1, 4}, new float[4]).write(oneRow);
        assertEquals(oneRow + ": tensor \"features\" has shape [1, 4]; expected [N, D] with N >= 2 (a covariance needs two samples)",
                message(oneRow));

        Path flat = dir.resolve("flat.safetensors");
        new SafeTensorsWriter().addF32("features", new long[] {8}, new float[8]).write(flat);
        assertEquals(flat + ": tensor \"features\" has shape [8]; expected [N, D] with N >= 2 (a covariance needs two samples)",
                message(flat));

        Path nan = dir.resolve("nan.safetensors");
        new SafeTensorsWriter().addF32("features", new long[] {2, 2}, new float[] {1, 2, 3, Float.NaN}).write(nan);
        assertEquals(nan + ": features[1, 1] is NaN; features must be finite", message(nan));

        Path ints = dir.resolve("ints.safetensors");
        new SafeTensorsWriter().add("features", DType.I32, new long[] {2, 1}, new byte[8]).write(ints);
        assertEquals(ints + ": tensor \"features\" is I32; expected F32, F64, F16 or BF16", message(ints));

        Path absent = dir.resolve("absent.safetensors");
        assertEquals(absent + ": no such feature file", message(absent));
    }

    private static String message(Path file) {
        return assertThrows(BadInputException.class, () -> FeatureFiles.statistics(file)).getMessage();
    }
}
