package studio.core.safetensors;

import java.nio.ByteBuffer;
import studio.core.BadInputException;

/** Converts little-endian element bytes to Java numbers, one dtype at a time. */
final class ElementDecoder {
    private ElementDecoder() {}

    static void floats(DType dtype, ByteBuffer in, float[] out, int first, int count) {
        switch (dtype) {
            case F32 -> in.asFloatBuffer().get(out, first, count);
            case F16 -> { for (int i = 0; i < count; i++) out[first + i] = FloatFormats.halfToFloat(in.getShort(2 * i)); }
            case BF16 -> { for (int i = 0; i < count; i++) out[first + i] = FloatFormats.bf16ToFloat(in.getShort(2 * i)); }
            case F64 -> { for (int i = 0; i < count; i++) out[first + i] = (float) in.getDouble(8 * i); }
            case F8_E4M3 -> { for (int i = 0; i < count; i++) out[first + i] = FloatFormats.e4m3ToFloat(in.get(i)); }
            case F8_E5M2 -> { for (int i = 0; i < count; i++) out[first + i] = FloatFormats.e5m2ToFloat(in.get(i)); }
            default -> {
                long[] values = new long[count];
                integers(dtype, in, values, 0, count);
                for (int i = 0; i < count; i++) out[first + i] = values[i];
            }
        }
    }

    static void longs(TensorInfo info, ByteBuffer in, long[] out, int first, int count) {
        integers(info.dtype(), in, out, first, count);
        if (info.dtype() == DType.U64) {
            for (int i = 0; i < count; i++) {
                if (out[first + i] < 0) {
                    throw new BadInputException(info.file().toString(), "tensor " + Printable.quoted(info.name())
                            + " holds U64 value " + Long.toUnsignedString(out[first + i]) + ", above the largest long");
                }
            }
        }
    }

    private static void integers(DType dtype, ByteBuffer in, long[] out, int first, int count) {
        switch (dtype) {
            case BOOL -> { for (int i = 0; i < count; i++) out[first + i] = in.get(i) != 0 ? 1 : 0; }
            case U8 -> { for (int i = 0; i < count; i++) out[first + i] = in.get(i) & 0xff; }
            case I8 -> { for (int i = 0; i < count; i++) out[first + i] = in.get(i); }
            case U16 -> { for (int i = 0; i < count; i++) out[first + i] = in.getShort(2 * i) & 0xffff; }
            case I16 -> { for (int i = 0; i < count; i++) out[first + i] = in.getShort(2 * i); }
            case U32 -> { for (int i = 0; i < count; i++) out[first + i] = in.getInt(4 * i) & 0xffffffffL; }
            case I32 -> { for (int i = 0; i < count; i++) out[first + i] = in.getInt(4 * i); }
            case I64, U64 -> in.asLongBuffer().get(out, first, count);
            default -> throw new IllegalArgumentException(dtype + " is not an integer dtype");
        }
    }
}
