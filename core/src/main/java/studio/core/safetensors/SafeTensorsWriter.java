package studio.core.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import studio.core.io.AtomicFiles;

/**
 * Builds a .safetensors file the way the reference writer ({@code safetensors/src/tensor.rs},
 * {@code prepare}) does: tensors laid out by descending dtype alignment then name, no gaps, the JSON
 * header padded with spaces to a multiple of 8 bytes so every tensor starts 8-byte aligned.
 * {@link #write} goes through a temporary file in the target folder and an atomic rename, so readers
 * never see a half-written file.
 */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor to write; {@code data} is read-only and positioned at its first byte. */
    private record Pending(String name, DType dtype, long[] shape, ByteBuffer data) {}

    private final Map<String, Pending> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new TreeMap<>();

    /** Adds a tensor from raw little-endian bytes; their count must equal shape × dtype. */
    public SafeTensorsWriter add(String name, DType dtype, long[] shape, byte[] data) {
        return add(name, dtype, shape, ByteBuffer.wrap(data));
    }

    /** Adds a tensor from the remaining bytes of {@code data} (not copied; do not change it before write). */
    public SafeTensorsWriter add(String name, DType dtype, long[] shape, ByteBuffer data) {
        if (name == null || name.equals(HeaderParser.METADATA_KEY)) {
            throw new IllegalArgumentException("tensor name " + name + " is reserved");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor name " + Printable.quoted(name));
        }
        long numel = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("tensor " + Printable.quoted(name) + ": negative dimension in "
                        + Arrays.toString(shape));
            }
            numel = Math.multiplyExact(numel, dim);
        }
        long needed = dtype.byteLength(numel);
        if (needed != data.remaining()) {
            throw new IllegalArgumentException("tensor " + Printable.quoted(name) + ": " + dtype + " "
                    + Arrays.toString(shape) + " needs " + needed + " bytes, got " + data.remaining());
        }
        tensors.put(name, new Pending(name, dtype, shape.clone(), data.slice().asReadOnlyBuffer()));
        return this;
    }

    public SafeTensorsWriter addF32(String name, long[] shape, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return add(name, DType.F32, shape, bytes);
    }

    /** Adds {@code values} rounded to F16 (nearest, ties to even). */
    public SafeTensorsWriter addF16(String name, long[] shape, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putShort(FloatFormats.floatToHalf(v));
        }
        return add(name, DType.F16, shape, bytes.flip());
    }

    /** Adds {@code values} rounded to BF16 (nearest, ties to even). */
    public SafeTensorsWriter addBF16(String name, long[] shape, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putShort(FloatFormats.floatToBf16(v));
        }
        return add(name, DType.BF16, shape, bytes.flip());
    }

    /** Adds {@code __metadata__} entries (string to string, as the format requires). */
    public SafeTensorsWriter metadata(Map<String, String> entries) {
        entries.forEach(this::metadata);
        return this;
    }

    public SafeTensorsWriter metadata(String key, String value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("metadata keys and values must not be null");
        }
        metadata.put(key, value);
        return this;
    }

    /** Writes the file, replacing {@code target} atomically where the file system allows. */
    public void write(Path target) throws IOException {
        List<Pending> ordered = referenceOrder();
        byte[] header = headerBytes(ordered);
        Path temp = AtomicFiles.tempSibling(target);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip());
                writeFully(out, ByteBuffer.wrap(header));
                for (Pending tensor : ordered) {
                    writeFully(out, tensor.data().duplicate());
                }
                out.force(true);
            }
            AtomicFiles.commit(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** Descending dtype alignment (declaration order of {@link DType}), then name by UTF-8 bytes as Rust sorts. */
    private List<Pending> referenceOrder() {
        List<Pending> ordered = new ArrayList<>(tensors.values());
        Comparator<Pending> byDtype = Comparator.comparing(Pending::dtype, Comparator.reverseOrder());
        ordered.sort(byDtype.thenComparing((a, b) -> Arrays.compareUnsigned(
                a.name().getBytes(StandardCharsets.UTF_8), b.name().getBytes(StandardCharsets.UTF_8))));
        return ordered;
    }

    private byte[] headerBytes(List<Pending> ordered) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put(HeaderParser.METADATA_KEY, metadata);
        }
        long offset = 0;
        for (Pending tensor : ordered) {
            long end = offset + tensor.data().remaining();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", tensor.dtype().name());
            entry.put("shape", tensor.shape());
            entry.put("data_offsets", new long[] {offset, end});
            header.put(tensor.name(), entry);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
