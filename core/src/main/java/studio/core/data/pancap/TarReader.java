package studio.core.data.pancap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import studio.core.BadInputException;

/**
 * A small streaming reader for POSIX ustar / GNU / pax tar files (webdataset shards), hardened for
 * untrusted input: header checksums are verified, sizes must be octal and at most
 * {@code maxEntryBytes} (entries above it are skipped, never buffered), long names are bounded, a
 * truncated file is an error naming the entry. Only regular files are returned.
 */
public final class TarReader implements AutoCloseable {
    private static final int BLOCK = 512;
    private static final int MAX_NAME_BYTES = 4096;

    /** One regular file of the archive; {@code data} is null when the entry was larger than the limit. */
    public record Entry(String name, long size, byte[] data, long dataOffset) {}

    private final InputStream in;
    private final String label;
    private final long maxEntryBytes;
    private long offset;
    private String pendingLongName;

    public TarReader(InputStream in, String label, long maxEntryBytes) {
        this.in = in;
        this.label = label;
        this.maxEntryBytes = maxEntryBytes;
    }

    /** The next regular file, or null at the end of the archive. */
    public Entry next() throws IOException {
        while (true) {
            long headerOffset = offset;
            byte[] header = readBlock(true);
            if (header == null || isZero(header)) {
                return null;
            }
            verifyChecksum(header, headerOffset);
            char type = (char) header[156];
            long size = octal(header, 124, 12, headerOffset);
            String name = pendingLongName != null ? pendingLongName : headerName(header);
            switch (type) {
                case 'L' -> { pendingLongName = stripNul(readSmall(size, headerOffset)); continue; }
                case 'x' -> { pendingLongName = paxPath(readSmall(size, headerOffset), pendingLongName); continue; }
                case 'g' -> { skip(size, headerOffset); continue; }
                default -> { }
            }
            pendingLongName = null;
            if (type != '0' && type != '\0' && type != '7') {
                skip(size, headerOffset);
                continue;
            }
            long dataOffset = offset;
            if (size > maxEntryBytes) {
                skip(size, headerOffset);
                return new Entry(name, size, null, dataOffset);
            }
            byte[] data = readFully((int) size, headerOffset, name);
            skipPadding(size, headerOffset);
            return new Entry(name, size, data, dataOffset);
        }
    }

    private byte[] readBlock(boolean endAllowed) throws IOException {
        byte[] block = in.readNBytes(BLOCK);
        if (block.length == 0 && endAllowed) {
            return null;
        }
        if (block.length < BLOCK) {
            throw new BadInputException(label, "truncated tar header at byte " + offset);
        }
        offset += BLOCK;
        return block;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private void verifyChecksum(byte[] h, long at) {
        long stored = octal(h, 148, 8, at);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xFF;
        }
        if (sum != stored) {
            throw new BadInputException(label, "tar header at byte " + at + " has a bad checksum (not a tar file or corrupt)");
        }
    }

    private long octal(byte[] h, int from, int length, long at) {
        if ((h[from] & 0x80) != 0) {
            throw new BadInputException(label, "tar header at byte " + at + ": base-256 sizes are not supported");
        }
        long value = 0;
        int i = from;
        while (i < from + length && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        for (; i < from + length && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7' || value > (Long.MAX_VALUE >> 4)) {
                throw new BadInputException(label, "tar header at byte " + at + ": bad octal number");
            }
            value = value * 8 + (h[i] - '0');
        }
        return value;
    }

    private static String headerName(byte[] h) {
        String name = stripNul(java.util.Arrays.copyOfRange(h, 0, 100));
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? stripNul(java.util.Arrays.copyOfRange(h, 345, 500)) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String stripNul(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** The {@code path=} record of a pax header, else the name we had. */
    private static String paxPath(byte[] records, String current) {
        for (String record : new String(records, StandardCharsets.UTF_8).split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 6);
            }
        }
        return current;
    }

    private byte[] readSmall(long size, long at) throws IOException {
        if (size > MAX_NAME_BYTES) {
            throw new BadInputException(label, "tar header at byte " + at + ": extended header of " + size + " bytes is too long");
        }
        byte[] data = readFully((int) size, at, "extended header");
        skipPadding(size, at);
        return data;
    }

    private byte[] readFully(int size, long at, String name) throws IOException {
        byte[] data = in.readNBytes(size);
        if (data.length < size) {
            throw new BadInputException(label, "truncated tar entry '" + name + "' (header at byte " + at + ")");
        }
        offset += size;
        return data;
    }

    private void skip(long size, long at) throws IOException {
        long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
        try {
            in.skipNBytes(padded);
        } catch (java.io.EOFException e) {
            throw new BadInputException(label, "truncated tar entry (header at byte " + at + ")");
        }
        offset += padded;
    }

    private void skipPadding(long size, long at) throws IOException {
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        if (in.readNBytes((int) pad).length < pad) {
            throw new BadInputException(label, "truncated tar entry (header at byte " + at + ")");
        }
        offset += pad;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
