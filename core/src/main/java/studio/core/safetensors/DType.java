package studio.core.safetensors;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every element type a safetensors header may name (SD3.md section 6; the reference
 * {@code safetensors/src/tensor.rs} {@code enum Dtype}). The constants are declared in the
 * reference's order, which is increasing alignment: the reference writer lays tensors out by
 * descending {@link #ordinal()}, then by name, and {@link SafeTensorsWriter} does the same.
 */
public enum DType {
    BOOL(8, Kind.BOOLEAN),
    F4(4, Kind.OTHER),
    F6_E2M3(6, Kind.OTHER),
    F6_E3M2(6, Kind.OTHER),
    U8(8, Kind.UNSIGNED),
    I8(8, Kind.SIGNED),
    F8_E5M2(8, Kind.FLOAT),
    F8_E4M3(8, Kind.FLOAT),
    F8_E8M0(8, Kind.OTHER),
    F8_E4M3FNUZ(8, Kind.OTHER),
    F8_E5M2FNUZ(8, Kind.OTHER),
    I16(16, Kind.SIGNED),
    U16(16, Kind.UNSIGNED),
    F16(16, Kind.FLOAT),
    BF16(16, Kind.FLOAT),
    I32(32, Kind.SIGNED),
    U32(32, Kind.UNSIGNED),
    F32(32, Kind.FLOAT),
    C64(64, Kind.OTHER),
    F64(64, Kind.FLOAT),
    I64(64, Kind.SIGNED),
    U64(64, Kind.UNSIGNED);

    /** How the bits of one element are interpreted, as far as this reader decodes them. */
    private enum Kind { BOOLEAN, SIGNED, UNSIGNED, FLOAT, OTHER }

    private static final Map<String, DType> BY_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(DType::name, Function.identity()));

    private final int bits;
    private final Kind kind;

    DType(int bits, Kind kind) {
        this.bits = bits;
        this.kind = kind;
    }

    /** The dtype spelled exactly as in a header ({@code "F16"}), or null if the string names none. */
    public static DType fromName(String name) {
        return BY_NAME.get(name);
    }

    /** Bits per element: 4 and 6 for the packed micro-scaling types, else a multiple of 8. */
    public int bits() {
        return bits;
    }

    /**
     * Bytes that {@code numel} elements occupy, or -1 if they do not fill whole bytes (the reference
     * rejects such tensors as misaligned). Throws ArithmeticException on long overflow.
     */
    public long byteLength(long numel) {
        long totalBits = Math.multiplyExact(numel, (long) bits);
        return totalBits % 8 == 0 ? totalBits / 8 : -1;
    }

    /** Whether {@link SafeTensors#readFloats} can convert this dtype to float. */
    public boolean decodesToFloat() {
        return switch (this) {
            case F8_E4M3, F8_E5M2 -> true;
            case U64 -> false;
            default -> kind != Kind.OTHER;
        };
    }

    /** Whether {@link SafeTensors#readLongs} can read this dtype (integers and booleans). */
    public boolean isInteger() {
        return kind == Kind.SIGNED || kind == Kind.UNSIGNED || kind == Kind.BOOLEAN;
    }

    /** Whether this is one of the 8-bit float formats (recognised; only E4M3 and E5M2 decode). */
    public boolean isFloat8() {
        return name().startsWith("F8_");
    }
}
