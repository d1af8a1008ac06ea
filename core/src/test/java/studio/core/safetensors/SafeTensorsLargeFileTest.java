package studio.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offsets past 2 GiB: a sparse 3 GiB file whose last tensor holds real bytes. */
class SafeTensorsLargeFileTest {
    @TempDir
    Path dir;

    @Test
    void tensorPastTwoGibibytesReadsCorrectly() throws Exception {
        float[] tail = {1.5f, -2.25f, 3e38f, Float.MIN_VALUE};
        Path file = RawFiles.sparseLargeFile(dir.resolve("big.safetensors"), tail);
        assertTrue(Files.size(file) > 3L << 30);
        try (SafeTensors st = SafeTensors.open(file)) {
            TensorInfo info = st.info("tail");
            assertEquals(3L << 30, info.begin());
            assertArrayEquals(tail, st.readFloats("tail"));
            ByteBuffer bytes = st.data("tail");
            assertEquals(16, bytes.remaining());
            assertEquals(-2.25f, bytes.getFloat(4));
            assertEquals(536_870_912L, st.info("big.2").numel());
            ByteBuffer big = st.data("big.2");
            assertEquals(1 << 30, big.capacity());
            assertEquals(0, big.getLong((1 << 30) - 8), "the unwritten hole reads as zeros");
            assertEquals("sparse test", st.metadata().get("purpose"));
        }
    }
}
