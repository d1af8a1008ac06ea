package studio.core.safetensors;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes safetensors files byte by byte per the spec, so tests do not depend on our own writer. */
final class RawFiles {
    private RawFiles() {}

    /** 8-byte little-endian length, the header text as UTF-8, then {@code dataBytes} bytes 0, 1, 2, ... */
    static Path write(Path file, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] data = new byte[dataBytes];
        for (int i = 0; i < dataBytes; i++) {
            data[i] = (byte) i;
        }
        return writeBytes(file, withLength(json.length, json, data));
    }

    static byte[] withLength(long declaredLength, byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(declaredLength).put(header).put(data).array();
    }

    static Path writeBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return file;
    }

    /**
     * A sparse file of over 3 GiB: three F16 tensors of 1 GiB ("big.0" to "big.2") that are never
     * written (holes read as zeros), then F32 "tail" = {@code tail} at data offset 3 GiB.
     */
    static Path sparseLargeFile(Path file, float[] tail) throws IOException {
        long gib = 1L << 30;
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"purpose\":\"sparse test\"}");
        for (int i = 0; i < 3; i++) {
            header.append(",\"big.").append(i).append("\":{\"dtype\":\"F16\",\"shape\":[16384,32768],\"data_offsets\":[")
                    .append(i * gib).append(',').append((i + 1) * gib).append("]}");
        }
        long tailEnd = 3 * gib + 4L * tail.length;
        header.append(",\"tail\":{\"dtype\":\"F32\",\"shape\":[").append(tail.length)
                .append("],\"data_offsets\":[").append(3 * gib).append(',').append(tailEnd).append("]}}");
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer tailBytes = ByteBuffer.allocate(4 * tail.length).order(ByteOrder.LITTLE_ENDIAN);
        tailBytes.asFloatBuffer().put(tail);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.setLength(8 + json.length + tailEnd);
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            out.seek(8 + json.length + 3 * gib);
            out.write(tailBytes.array());
        }
        return file;
    }
}
