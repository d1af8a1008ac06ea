package studio.core.safetensors;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One header entry: where a tensor's bytes are and how to read them. {@code begin} and {@code end}
 * are relative to the start of the data buffer of {@code file} (byte 8 + header length), as in the
 * header's {@code data_offsets}. Instances come out of a validated header, so
 * {@code end - begin == byteLength()} always holds.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end, Path file) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        Objects.requireNonNull(file, "file");
    }

    /** A copy of the shape ({@code []} for a scalar). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the dims (1 for a scalar, 0 if any dim is 0). */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteLength() {
        return end - begin;
    }

    /** The shape as the header and {@code studio inspect} spell it: {@code [2, 3]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end && file.equals(t.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end, file);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + " " + dtype + " " + shapeText() + " [" + begin + ", " + end + ") in " + file + "]";
    }
}
