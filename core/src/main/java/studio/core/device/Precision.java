package studio.core.device;

import java.util.Locale;
import studio.core.BadInputException;

/**
 * Compute precision of model weights and activations ({@code --dtype}).
 *
 * <p>The project tracks dtypes itself: DJL 0.35 has no bf16 dtype code, reports bf16 tensors as
 * {@code UNKNOWN}, and aborts the JVM when {@code DataType.BFLOAT16} is passed to it
 * (ARCHITECTURE.md decision 3). Conversions therefore go through {@code studio.core.ops.Kernels}
 * with the libtorch scalar-type code below, never through DJL's {@code DataType}.
 */
public enum Precision {
    F32("float32", 6, 4),
    F16("float16", 5, 2),
    BF16("bfloat16", 15, 2);

    /** libtorch's name of the dtype, as {@code str(torch.float32)} without "torch.". */
    private final String torchName;
    /** c10::ScalarType code (c10/core/ScalarType.h: Half 5, Float 6, BFloat16 15). */
    private final int scalarTypeCode;
    private final int bytesPerElement;

    Precision(String torchName, int scalarTypeCode, int bytesPerElement) {
        this.torchName = torchName;
        this.scalarTypeCode = scalarTypeCode;
        this.bytesPerElement = bytesPerElement;
    }

    public String torchName() {
        return torchName;
    }

    public int scalarTypeCode() {
        return scalarTypeCode;
    }

    public int bytesPerElement() {
        return bytesPerElement;
    }

    /**
     * Parses {@code f32|fp32|float32}, {@code f16|fp16|float16|half}, {@code bf16|bfloat16}
     * (case-insensitive).
     *
     * @param field what the value came from (e.g. "--dtype"), named in the error
     */
    public static Precision parse(String value, String field) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "f32": case "fp32": case "float32": return F32;
            case "f16": case "fp16": case "float16": case "half": return F16;
            case "bf16": case "bfloat16": return BF16;
            default:
                throw new BadInputException(field,
                        "unknown dtype '" + value + "', expected one of f32|fp32|float32, "
                                + "f16|fp16|float16, bf16|bfloat16");
        }
    }

    public static Precision parse(String value) {
        return parse(value, "--dtype");
    }

    /** The precision whose libtorch scalar-type code is {@code code}, or null if not F32/F16/BF16. */
    public static Precision fromScalarTypeCode(long code) {
        for (Precision p : values()) {
            if (p.scalarTypeCode == code) {
                return p;
            }
        }
        return null;
    }
}
