package studio.core.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import studio.core.io.AtomicFiles;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import studio.core.BadInputException;

/**
 * PNG writing with text metadata, and reading the text back.
 *
 * <p>The container is written in Java (java.util.zip) rather than by FFmpeg's png encoder: text
 * chunks must sit between IHDR and IDAT, which FFmpeg cannot do for us, and splicing them into
 * FFmpeg's output would mean parsing it anyway. Writing it here also makes the bytes independent
 * of the FFmpeg version. Pixels are stored losslessly as 8-bit RGB (colour type 2), with the
 * per-row adaptive filter choice recommended by the PNG spec §12.8 (minimum sum of absolute
 * differences) and zlib level 6. Reading pixels back goes through {@link ImageDecoder} (FFmpeg).
 *
 * <p>Stateless and thread-safe; {@link #write} replaces the target atomically.
 */
public final class PngFiles {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int COLOUR_TYPE_RGB = 2;
    /** Limits what a hostile text chunk can make us inflate. */
    private static final int MAX_TEXT_BYTES = 64 * 1024 * 1024;

    private PngFiles() {
    }

    /** Writes {@code image} as a PNG with {@code text} chunks (in order, before IDAT), atomically. */
    public static void write(Path path, RgbImage image, List<PngTextChunk> text) {
        AtomicFiles.write(path, encode(image, text));
    }

    /** The PNG file bytes for {@code image} with {@code text} chunks placed before IDAT. */
    public static byte[] encode(RgbImage image, List<PngTextChunk> text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(image.rgb().length / 2 + 1024);
        out.writeBytes(SIGNATURE);
        ByteBuffer header = ByteBuffer.allocate(13);
        header.putInt(image.width()).putInt(image.height());
        header.put((byte) 8).put((byte) COLOUR_TYPE_RGB).put((byte) 0).put((byte) 0).put((byte) 0);
        writeChunk(out, "IHDR", header.array());
        for (PngTextChunk chunk : text) {
            writeChunk(out, chunk.utf8() ? "iTXt" : "tEXt", textChunkData(chunk));
        }
        writeChunk(out, "IDAT", compressedScanlines(image));
        writeChunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** The body of a tEXt (§11.3.3.3) or uncompressed iTXt (§11.3.3.5) chunk. */
    private static byte[] textChunkData(PngTextChunk chunk) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(chunk.keyword().getBytes(StandardCharsets.ISO_8859_1));
        body.write(0);
        if (chunk.utf8()) {
            body.write(0); // compression flag: uncompressed
            body.write(0); // compression method
            body.write(0); // empty language tag, terminated
            body.write(0); // empty translated keyword, terminated
            body.writeBytes(chunk.text().getBytes(StandardCharsets.UTF_8));
        } else {
            body.writeBytes(chunk.text().getBytes(StandardCharsets.ISO_8859_1));
        }
        return body.toByteArray();
    }

    private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32(); // over type and data, not length (§5.3)
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** zlib stream of filtered scanlines (§7.3, §9), each row prefixed by its filter type byte. */
    private static byte[] compressedScanlines(RgbImage image) {
        int rowBytes = image.width() * 3;
        byte[] rgb = image.rgb();
        byte[] previous = new byte[rowBytes];
        byte[] current = new byte[rowBytes];
        byte[][] candidates = new byte[5][rowBytes + 1];
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(rgb.length / 2 + 64);
        Deflater deflater = new Deflater(6);
        try (DeflaterOutputStream zlib = new DeflaterOutputStream(compressed, deflater, 64 * 1024)) {
            for (int y = 0; y < image.height(); y++) {
                System.arraycopy(rgb, y * rowBytes, current, 0, rowBytes);
                zlib.write(PngFilters.bestFiltered(current, previous, 3, candidates));
                byte[] swap = previous;
                previous = current;
                current = swap;
            }
        } catch (IOException e) {
            throw new IllegalStateException("in-memory deflate failed", e);
        } finally {
            deflater.end();
        }
        return compressed.toByteArray();
    }

    /** Reads the tEXt, zTXt and iTXt chunks of a PNG file: keyword → text, in file order. */
    public static Map<String, String> readText(Path path) {
        return readText(ImageDecoder.readBytes(path), path.toString());
    }

    /**
     * Reads the text chunks of PNG bytes. A keyword that occurs twice keeps its first value.
     * Chunk CRCs are checked; a malformed file raises {@link BadInputException} naming {@code name}.
     */
    public static Map<String, String> readText(byte[] png, String name) {
        ByteBuffer buffer = ByteBuffer.wrap(png);
        if (png.length < SIGNATURE.length || !ByteBuffer.wrap(png, 0, 8).equals(ByteBuffer.wrap(SIGNATURE))) {
            throw new BadInputException(name, "not a PNG file (bad signature)");
        }
        buffer.position(SIGNATURE.length);
        Map<String, String> text = new LinkedHashMap<>();
        while (true) {
            if (buffer.remaining() < 12) {
                throw new BadInputException(name, "truncated PNG (no IEND chunk)");
            }
            int length = buffer.getInt();
            byte[] typeBytes = new byte[4];
            buffer.get(typeBytes);
            String type = new String(typeBytes, StandardCharsets.ISO_8859_1);
            if (length < 0 || length > buffer.remaining() - 4) {
                throw new BadInputException(name, "truncated PNG chunk " + type);
            }
            byte[] data = new byte[length];
            buffer.get(data);
            CRC32 crc = new CRC32();
            crc.update(typeBytes);
            crc.update(data);
            if ((int) crc.getValue() != buffer.getInt()) {
                throw new BadInputException(name, "PNG chunk " + type + " has a wrong CRC");
            }
            if (type.equals("IEND")) {
                return text;
            }
            if (type.equals("tEXt") || type.equals("zTXt") || type.equals("iTXt")) {
                Map.Entry<String, String> entry = parseText(type, data, name);
                text.putIfAbsent(entry.getKey(), entry.getValue());
            }
        }
    }

    private static Map.Entry<String, String> parseText(String type, byte[] data, String name) {
        int keywordEnd = indexOfZero(data, 0);
        if (keywordEnd <= 0) {
            throw new BadInputException(name, "PNG " + type + " chunk without a keyword");
        }
        String keyword = new String(data, 0, keywordEnd, StandardCharsets.ISO_8859_1);
        int pos = keywordEnd + 1;
        String value;
        if (type.equals("tEXt")) {
            value = new String(data, pos, data.length - pos, StandardCharsets.ISO_8859_1);
        } else if (type.equals("zTXt")) {
            // §11.3.3.4: compression method byte (0 = zlib), then the compressed Latin-1 text.
            value = new String(inflate(data, pos + 1, name), StandardCharsets.ISO_8859_1);
        } else {
            if (pos + 2 > data.length) {
                throw new BadInputException(name, "truncated iTXt chunk '" + keyword + "'");
            }
            boolean compressed = data[pos] != 0;
            int languageEnd = indexOfZero(data, pos + 2);
            int translatedEnd = languageEnd < 0 ? -1 : indexOfZero(data, languageEnd + 1);
            if (translatedEnd < 0) {
                throw new BadInputException(name, "malformed iTXt chunk '" + keyword + "'");
            }
            int start = translatedEnd + 1;
            byte[] utf8 = compressed ? inflate(data, start, name) : Arrays.copyOfRange(data, start, data.length);
            value = new String(utf8, StandardCharsets.UTF_8);
        }
        return Map.entry(keyword, value);
    }

    private static int indexOfZero(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] inflate(byte[] data, int offset, String name) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data, offset, Math.max(0, data.length - offset));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] block = new byte[8192];
            while (!inflater.finished()) {
                int count = inflater.inflate(block);
                if (count == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new BadInputException(name, "truncated compressed PNG text");
                }
                out.write(block, 0, count);
                if (out.size() > MAX_TEXT_BYTES) {
                    throw new BadInputException(name, "compressed PNG text expands beyond " + MAX_TEXT_BYTES + " bytes");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new BadInputException(name, "corrupt compressed PNG text: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
