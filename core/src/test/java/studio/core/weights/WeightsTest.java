package studio.core.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.ops.Kernels;
import studio.core.safetensors.DType;
import studio.core.safetensors.FloatFormats;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;

class WeightsTest {

    @TempDir
    static Path dir;
    static Path file;
    static final float[] VALUES = {1.5f, -2.25f, 3.0e-3f, 65504f, -0.0f, 1.0e-7f};

    @BeforeAll
    static void writeCheckpoint() throws Exception {
        file = dir.resolve("model.safetensors");
        ByteBuffer ids = ByteBuffer.allocate(3 * 8).order(ByteOrder.LITTLE_ENDIAN);
        ids.putLong(7).putLong(-1).putLong(1L << 40).flip();
        ByteBuffer f64 = ByteBuffer.allocate(2 * 8).order(ByteOrder.LITTLE_ENDIAN);
        f64.putDouble(0.1).putDouble(-3.5).flip();
        new SafeTensorsWriter()
                .addF32("blocks.0.attn.to_q.weight", new long[] {2, 3}, VALUES)
                .addF16("blocks.0.attn.to_k.weight", new long[] {2, 3}, VALUES)
                .addBF16("blocks.1.attn.to_q.weight", new long[] {3, 2}, VALUES)
                .add("position_ids", DType.I64, new long[] {3}, ids)
                .add("scale", DType.F64, new long[] {2}, f64)
                .addF32("alpha", new long[] {}, new float[] {4f})
                .addF32("extra.bias", new long[] {2}, new float[] {1f, 2f})
                .write(file);
    }

    @Test
    void readsEachStoredDtypeIntoF32() throws Exception {
        try (SafeTensors st = SafeTensors.open(file); NDManager m = NDManager.newBaseManager()) {
            Weights w = Weights.of(st, m, Precision.F32);
            Weights attn0 = w.pp("blocks", 0).pp("attn");
            assertArrayEquals(VALUES, attn0.get("to_q.weight", 2, 3).toFloatArray());
            float[] f16 = attn0.get("to_k.weight", 2, 3).toFloatArray();
            float[] bf16 = w.pp("blocks.1.attn").get("to_q.weight", 3, 2).toFloatArray();
            for (int i = 0; i < VALUES.length; i++) {
                assertEquals(FloatFormats.halfToFloat(FloatFormats.floatToHalf(VALUES[i])), f16[i]);
                assertEquals(FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(VALUES[i])), bf16[i]);
            }
            NDArray ids = w.get("position_ids", 3);
            assertEquals(DataType.INT64, ids.getDataType());
            assertArrayEquals(new long[] {7, -1, 1L << 40}, ids.toLongArray());
            assertArrayEquals(new float[] {0.1f, -3.5f}, w.get("scale", 2).toFloatArray());
            assertEquals(4f, w.get("alpha").getFloat());
        }
    }

    @Test
    void convertsToBf16ThroughKernels() throws Exception {
        try (SafeTensors st = SafeTensors.open(file); NDManager m = NDManager.newBaseManager()) {
            Weights w = Weights.of(st, m, Precision.BF16);
            NDArray q = w.get("blocks.0.attn.to_q.weight", 2, 3);
            Kernels k = Kernels.of(q);
            assertEquals(Precision.BF16, k.precisionOf(q));
            float[] back = k.cast(q, Precision.F32).toFloatArray();
            for (int i = 0; i < VALUES.length; i++) {
                assertEquals(FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(VALUES[i])), back[i]);
            }
            // An fp32 request next to bf16 weights (norms, LoRA factors).
            NDArray f32 = w.get("blocks.0.attn.to_k.weight", Precision.F32, 2, 3);
            assertEquals(Precision.F32, k.precisionOf(f32));
        }
    }

    @Test
    void loadedArraysOwnTheirStorage() throws Exception {
        NDArray kept;
        NDManager m = NDManager.newBaseManager();
        try (SafeTensors st = SafeTensors.open(file)) {
            kept = Weights.of(st, m, Precision.F32).get("blocks.0.attn.to_q.weight", 2, 3);
        }
        // The mapping is closed; an in-place update (a merged LoRA) must neither crash nor fail.
        kept.addi(1f);
        assertEquals(VALUES[0] + 1f, kept.toFloatArray()[0]);
        m.close();
    }

    @Test
    void reportsMissingMisShapedAndUnusedTogether() throws Exception {
        try (SafeTensors st = SafeTensors.open(file); NDManager m = NDManager.newBaseManager()) {
            Weights w = Weights.of(st, m, Precision.F32).ignoreUnused("position_ids");
            NDArray missing = w.pp("blocks.0.attn").get("to_v.weight", 2, 3);
            assertArrayEquals(new float[6], missing.toFloatArray());
            NDArray wrong = w.get("blocks.0.attn.to_q.weight", 3, 2);
            assertArrayEquals(new long[] {3, 2}, wrong.getShape().getShape());
            w.get("scale", 2);
            LoadReport report = w.report();
            assertFalse(report.complete());
            assertEquals(List.of("blocks.0.attn.to_v.weight"), report.missing());
            assertEquals(List.of("blocks.0.attn.to_q.weight: file [2, 3], model [3, 2]"), report.misShaped());
            assertEquals(List.of("alpha", "blocks.0.attn.to_k.weight", "blocks.1.attn.to_q.weight", "extra.bias"),
                    report.unused());
            BadInputException e = assertThrows(BadInputException.class, w::requireComplete);
            assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
            assertTrue(e.getMessage().contains("1 missing (blocks.0.attn.to_v.weight)"), e.getMessage());
            assertTrue(e.getMessage().contains("1 mis-shaped"), e.getMessage());
        }
    }

    @Test
    void completeLoadPassesAndOptionalKeysAreOptional() throws Exception {
        try (SafeTensors st = SafeTensors.open(file); NDManager m = NDManager.newBaseManager()) {
            Weights w = Weights.of(st, m, Precision.F32);
            assertTrue(w.pp("extra").contains("bias"));
            assertArrayEquals(new long[] {2}, w.pp("extra").storedShape("bias"));
            assertNull(w.getIfPresent("no.such.key"));
            assertArrayEquals(new float[] {1f, 2f}, w.getIfPresent("extra.bias").toFloatArray());
            LoadReport report = w.report();
            assertTrue(report.complete());
            assertEquals(6, report.unused().size());
        }
    }
}
