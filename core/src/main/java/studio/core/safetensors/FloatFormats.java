package studio.core.safetensors;

/**
 * Exact conversions between float32 and the narrow float formats safetensors stores: IEEE binary16
 * (F16), bfloat16 (BF16, the upper half of a binary32) and the OCP 8-bit floats F8_E4M3 and F8_E5M2
 * ("OCP 8-bit Floating Point Specification (OFP8)", rev. 1.0). Narrowing rounds to nearest, ties to
 * even, as IEEE 754 and PyTorch's {@code .to(torch.float16/bfloat16)} do. Java 17 has no
 * {@code Float.float16ToFloat}, hence these.
 */
public final class FloatFormats {
    private FloatFormats() {}

    private static final float TWO_POW_MINUS_24 = 0x1p-24f;
    private static final float[] E4M3 = fp8Table(4, 3, false);
    private static final float[] E5M2 = fp8Table(5, 2, true);

    /** The float32 value of a binary16 bit pattern (exact: every half is a float). */
    public static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * TWO_POW_MINUS_24;
            return sign == 0 ? magnitude : -magnitude;
        }
        // Rebias the exponent from 15 to 127: +112.
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The binary16 nearest to {@code value} (ties to even); overflow gives infinity, NaN stays NaN. */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        if (magnitude >= 0x7f800000) {
            // Keep NaN payload bits that fit, and force a quiet NaN so it cannot become infinity.
            int nan = magnitude > 0x7f800000 ? 0x200 | ((magnitude >>> 13) & 0x3ff) : 0;
            return (short) (sign | 0x7c00 | nan);
        }
        if (magnitude >= 0x47800000) {
            return (short) (sign | 0x7c00); // >= 2^16: beyond the largest finite half even after rounding
        }
        if (magnitude >= 0x38800000) {
            // Normal half range (>= 2^-14). A carry out of the mantissa correctly bumps the exponent,
            // and 65520 and above round up to 0x7c00 = infinity.
            int rebased = (magnitude >>> 13) - (112 << 10);
            return (short) (sign | roundHalfEven(rebased, magnitude & 0x1fff, 0x1000));
        }
        int exponent = magnitude >>> 23;
        if (exponent < 102) {
            return (short) sign; // below 2^-25: rounds to zero
        }
        // Subnormal half: count units of 2^-24. value = m * 2^(exponent - 150), so shift by 126 - exponent.
        int mantissa = (magnitude & 0x7fffff) | 0x800000;
        int shift = 126 - exponent;
        int remainder = mantissa & ((1 << shift) - 1);
        return (short) (sign | roundHalfEven(mantissa >>> shift, remainder, 1 << (shift - 1)));
    }

    private static int roundHalfEven(int truncated, int remainder, int halfway) {
        boolean up = remainder > halfway || (remainder == halfway && (truncated & 1) == 1);
        return up ? truncated + 1 : truncated;
    }

    /** The float32 value of a bfloat16 bit pattern: the two bytes are the high half of the word. */
    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }

    /** The bfloat16 nearest to {@code value} (ties to even); NaN stays a (quiet) NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) (roundHalfEven(bits >>> 16, bits & 0xffff, 0x8000));
    }

    /** OCP F8_E4M3 (bias 7, no infinities, S.1111.111 is NaN, max 448). */
    public static float e4m3ToFloat(byte value) {
        return E4M3[value & 0xff];
    }

    /** OCP F8_E5M2 (bias 15, IEEE-style infinities and NaNs, max 57344). */
    public static float e5m2ToFloat(byte value) {
        return E5M2[value & 0xff];
    }

    private static float[] fp8Table(int exponentBits, int mantissaBits, boolean ieeeSpecials) {
        float[] table = new float[256];
        int bias = (1 << (exponentBits - 1)) - 1;
        int maxExponent = (1 << exponentBits) - 1;
        int maxMantissa = (1 << mantissaBits) - 1;
        for (int code = 0; code < 256; code++) {
            int exponent = (code >>> mantissaBits) & maxExponent;
            int mantissa = code & maxMantissa;
            float magnitude;
            if (ieeeSpecials && exponent == maxExponent) {
                magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
            } else if (!ieeeSpecials && exponent == maxExponent && mantissa == maxMantissa) {
                magnitude = Float.NaN;
            } else if (exponent == 0) {
                magnitude = Math.scalb((float) mantissa, 1 - bias - mantissaBits);
            } else {
                magnitude = Math.scalb((float) ((1 << mantissaBits) | mantissa), exponent - bias - mantissaBits);
            }
            table[code] = (code & 0x80) != 0 ? -magnitude : magnitude;
        }
        return table;
    }
}
