package studio.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import studio.core.device.Precision;
import studio.core.device.Torch;

/** bf16/f16 through the kernels; DJL itself must never see DataType.BFLOAT16 (it aborts the JVM). */
class KernelDtypeTest {

    private NDManager manager;
    private Kernels kernels;

    @BeforeEach
    void open() {
        manager = Torch.engine().newBaseManager(Device.cpu());
        kernels = Kernels.on(Device.cpu());
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** f32 → bf16 bits with round-to-nearest-even, as torch does (c10/util/BFloat16.h round_to_nearest_even). */
    static int bf16BitsRoundNearestEven(float f) {
        int bits = Float.floatToRawIntBits(f);
        int lsb = (bits >>> 16) & 1;
        return ((bits + 0x7FFF + lsb) >>> 16) & 0xFFFF;
    }

    static float bf16BitsToFloat(int bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    @Test
    void f32ToBf16ToF32RoundsToNearestEven() {
        Random random = new Random(7);
        float[] values = new float[4096];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
        }
        // Exact ties: 1 + 2^-8 is halfway between bf16 1.0 and 1.0078125 (rounds to even 1.0);
        // 1 + 3·2^-8 is halfway between 1.0078125 and 1.015625 (rounds to even 1.015625).
        values[0] = 1f + 0x1p-8f;
        values[1] = 1f + 3 * 0x1p-8f;
        values[2] = -0f;
        values[3] = Float.MAX_VALUE; // rounds up to +inf in bf16, as in torch
        NDArray x = manager.create(values);
        NDArray bf16 = kernels.cast(x, Precision.BF16);
        assertEquals(DataType.UNKNOWN, bf16.getDataType(), "DJL has no bf16 code");
        assertEquals(Precision.BF16, kernels.precisionOf(bf16));
        float[] back = kernels.cast(bf16, Precision.F32).toFloatArray();
        for (int i = 0; i < values.length; i++) {
            float expected = bf16BitsToFloat(bf16BitsRoundNearestEven(values[i]));
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(back[i]),
                    "value " + values[i] + " at " + i);
        }
        assertEquals(1f, back[0]);
        assertEquals(1.015625f, back[1]);
    }

    @Test
    void bf16FromBytesMatchesAJavaDecode() {
        Random random = new Random(11);
        int n = 2 * 3 * 5;
        ByteBuffer bytes = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            int bits;
            do {
                bits = random.nextInt(1 << 16);
            } while (((bits >>> 7) & 0xFF) == 0xFF); // skip inf/NaN patterns
            bytes.putShort((short) bits);
            expected[i] = bf16BitsToFloat(bits);
        }
        bytes.flip();
        NDArray w = kernels.fromBytes(manager, bytes, Precision.BF16, new Shape(2, 3, 5));
        assertEquals(new Shape(2, 3, 5), w.getShape());
        assertEquals(Precision.BF16, kernels.precisionOf(w));
        assertArrayEquals(expected, kernels.cast(w, Precision.F32).toFloatArray());
    }

    @Test
    void fromBytesCopiesSoTheBufferMayBeReused() {
        ByteBuffer bytes = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putShort((short) 0x3F80).putShort((short) 0x4040).flip(); // bf16 1.0, 3.0
        NDArray w = kernels.fromBytes(manager, bytes, Precision.BF16, new Shape(2));
        bytes.putShort(0, (short) 0).putShort(2, (short) 0);
        assertArrayEquals(new float[] {1f, 3f}, kernels.cast(w, Precision.F32).toFloatArray());
    }

    @Test
    void fromBytesF16AndF32MatchDjl() {
        float[] values = {0.5f, -2.25f, 1024f, 6.1035156e-05f};
        NDArray viaDjl = manager.create(values).toType(DataType.FLOAT16, false);
        ByteBuffer f16 = viaDjl.toByteBuffer();
        NDArray viaKernel = kernels.fromBytes(manager, f16, Precision.F16, new Shape(2, 2));
        assertEquals(DataType.FLOAT16, viaKernel.getDataType());
        assertArrayEquals(values, viaKernel.toType(DataType.FLOAT32, false).toFloatArray());
        ByteBuffer f32 = manager.create(values).toByteBuffer();
        assertArrayEquals(values, kernels.fromBytes(manager, f32, Precision.F32, new Shape(4)).toFloatArray());
    }

    @Test
    void fromBytesRejectsAByteCountThatDoesNotFitTheShape() {
        ByteBuffer bytes = ByteBuffer.allocateDirect(6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernels.fromBytes(manager, bytes, Precision.BF16, new Shape(2, 2)));
        assertTrue(e.getMessage().contains("6 bytes cannot hold BF16 (2, 2)"), e.getMessage());
    }

    @Test
    void bf16MatmulAndFusedOpsRunAndStayBf16() {
        NDArray a = manager.randomNormal(new Shape(16, 32));
        NDArray b = manager.randomNormal(new Shape(24, 32));
        NDArray a16 = kernels.cast(a, Precision.BF16);
        NDArray b16 = kernels.cast(b, Precision.BF16);
        NDArray y16 = Ops.linear(a16, b16, null);
        assertEquals(Precision.BF16, kernels.precisionOf(y16));
        // Reference: f32 matmul of the bf16-rounded inputs; bf16 output rounding ≤ 2^-8 relative.
        NDArray expected = Ops.linear(kernels.cast(a16, Precision.F32), kernels.cast(b16, Precision.F32), null);
        NDArray actual = kernels.cast(y16, Precision.F32);
        float maxRel = actual.sub(expected).abs().div(expected.abs().add(1f)).max().getFloat();
        assertTrue(maxRel < 1e-2, "bf16 matmul relative error " + maxRel);
        NDArray q = kernels.cast(manager.randomNormal(new Shape(1, 2, 9, 8)), Precision.BF16);
        assertEquals(Precision.BF16, kernels.precisionOf(Ops.attention(q, q, q)));
        assertEquals(Precision.BF16, kernels.precisionOf(Ops.geluTanh(q)));
    }

    @Test
    void precisionOfReportsF32F16AndNullForIntegers() {
        assertEquals(Precision.F32, kernels.precisionOf(manager.ones(new Shape(2))));
        assertEquals(Precision.F16, kernels.precisionOf(manager.ones(new Shape(2), DataType.FLOAT16)));
        assertEquals(null, kernels.precisionOf(manager.ones(new Shape(2), DataType.INT64)));
        assertEquals(Precision.F16, kernels.precisionOf(kernels.cast(manager.ones(new Shape(2)), Precision.F16)));
    }
}
