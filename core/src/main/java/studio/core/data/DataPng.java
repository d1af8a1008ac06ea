package studio.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import studio.core.BadInputException;

/**
 * The data formats' only door to PNG files: RGB pixels in, RGB pixels out, bit-exact (panoptic id
 * PNGs depend on it) and deterministic (the world must be byte-identical per seed, WORLD.md).
 *
 * <p>This is a small pure-Java codec: 8-bit RGB, filter 0 on every row, zlib at a fixed level, so the
 * bytes depend on the pixels alone. The decoder reads the PNGs real datasets use (8-bit gray, RGB,
 * palette, gray+alpha, RGBA, non-interlaced; alpha is dropped) and refuses anything else with a clear message.
 */
public final class DataPng {
    private static final byte[] SIGNATURE = {(byte) 137, 80, 78, 71, 13, 10, 26, 10};
    private static final int DEFLATE_LEVEL = 6;
    /** Refuse larger images: no unbounded allocation from a declared size (ARCHITECTURE.md, bad input). */
    static final int MAX_SIDE = 16384;
    static final long MAX_PIXELS = 64L * 1024 * 1024;

    private DataPng() {}

    public static RgbPixels read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file.toString(), "file not found");
        } catch (IOException e) {
            throw new BadInputException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }

    public static void write(Path file, RgbPixels pixels) throws IOException {
        Files.write(file, encode(pixels));
    }

    public static byte[] encode(RgbPixels pixels) {
        int w = pixels.width();
        int h = pixels.height();
        byte[] raw = new byte[h * (3 * w + 1)];
        for (int y = 0; y < h; y++) {
            System.arraycopy(pixels.rgb(), y * 3 * w, raw, y * (3 * w + 1) + 1, 3 * w);
        }
        Deflater deflater = new Deflater(DEFLATE_LEVEL);
        ByteArrayOutputStream idat = new ByteArrayOutputStream(raw.length / 2 + 64);
        try {
            deflater.setInput(raw);
            deflater.finish();
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                idat.write(buffer, 0, deflater.deflate(buffer));
            }
        } finally {
            deflater.end();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(idat.size() + 64);
        out.writeBytes(SIGNATURE);
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** Decodes a PNG; {@code name} is used in messages. */
    public static RgbPixels decode(byte[] png, String name) {
        try {
            return new PngDecoder(png, name).decode();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new BadInputException(name, "truncated or corrupt PNG");
        } catch (DataFormatException e) {
            throw new BadInputException(name, "corrupt PNG image data: " + e.getMessage());
        }
    }

    /** One decode: chunks → IHDR/PLTE/IDAT → inflate with a bounded output → unfilter → RGB. */
    private static final class PngDecoder {
        private final ByteBuffer in;
        private final String name;
        private int width;
        private int height;
        private int colorType;
        private int channels;
        private byte[] palette;

        PngDecoder(byte[] png, String name) {
            this.in = ByteBuffer.wrap(png);
            this.name = name;
        }

        RgbPixels decode() throws DataFormatException {
            for (byte b : SIGNATURE) {
                if (!in.hasRemaining() || in.get() != b) {
                    throw new BadInputException(name, "not a PNG file");
                }
            }
            ByteArrayOutputStream idat = new ByteArrayOutputStream();
            boolean sawHeader = false;
            while (true) {
                int length = in.getInt();
                if (length < 0 || length > in.remaining() - 8) {
                    throw new BadInputException(name, "truncated or corrupt PNG (chunk length " + length + ")");
                }
                byte[] type = new byte[4];
                in.get(type);
                byte[] data = new byte[length];
                in.get(data);
                in.getInt();
                String t = new String(type, StandardCharsets.US_ASCII);
                switch (t) {
                    case "IHDR" -> { header(data); sawHeader = true; }
                    case "PLTE" -> palette = data;
                    case "IDAT" -> idat.writeBytes(data);
                    case "IEND" -> {
                        if (!sawHeader) {
                            throw new BadInputException(name, "PNG without IHDR");
                        }
                        return toRgb(inflate(idat.toByteArray()));
                    }
                    default -> { }
                }
            }
        }

        private void header(byte[] d) {
            ByteBuffer h = ByteBuffer.wrap(d);
            width = h.getInt();
            height = h.getInt();
            int depth = h.get();
            colorType = h.get();
            h.get();
            h.get();
            int interlace = h.get();
            if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE || (long) width * height > MAX_PIXELS) {
                throw new BadInputException(name, "unsupported PNG size " + width + "x" + height);
            }
            channels = switch (colorType) {
                case 0, 3 -> 1;
                case 4 -> 2;
                case 2 -> 3;
                case 6 -> 4;
                default -> throw new BadInputException(name, "unknown PNG colour type " + colorType);
            };
            if (depth != 8 || interlace != 0) {
                throw new BadInputException(name, "unsupported PNG (bit depth " + depth + ", interlace " + interlace
                        + "); expected 8-bit, non-interlaced");
            }
        }

        private byte[] inflate(byte[] compressed) throws DataFormatException {
            int stride = width * channels;
            byte[] raw = new byte[height * (stride + 1)];
            Inflater inflater = new Inflater();
            try {
                inflater.setInput(compressed);
                int n = 0;
                while (n < raw.length && !inflater.finished()) {
                    int got = inflater.inflate(raw, n, raw.length - n);
                    if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        break;
                    }
                    n += got;
                }
                if (n < raw.length) {
                    throw new BadInputException(name, "PNG image data is shorter than " + width + "x" + height);
                }
            } finally {
                inflater.end();
            }
            return raw;
        }

        private RgbPixels toRgb(byte[] raw) {
            int stride = width * channels;
            byte[] rows = new byte[height * stride];
            for (int y = 0; y < height; y++) {
                unfilter(raw[y * (stride + 1)], raw, y * (stride + 1) + 1, rows, y * stride, stride);
            }
            byte[] rgb = new byte[width * height * 3];
            for (int i = 0; i < width * height; i++) {
                copyPixel(rows, i, rgb);
            }
            return new RgbPixels(width, height, rgb);
        }

        private void copyPixel(byte[] rows, int i, byte[] rgb) {
            switch (colorType) {
                case 2, 6 -> System.arraycopy(rows, i * channels, rgb, 3 * i, 3);
                case 0, 4 -> { byte g = rows[i * channels]; rgb[3 * i] = g; rgb[3 * i + 1] = g; rgb[3 * i + 2] = g; }
                default -> {
                    int index = rows[i] & 0xFF;
                    if (palette == null || 3 * index + 2 >= palette.length) {
                        throw new BadInputException(name, "palette index " + index + " outside the PLTE chunk");
                    }
                    System.arraycopy(palette, 3 * index, rgb, 3 * i, 3);
                }
            }
        }

        private void unfilter(byte filter, byte[] raw, int from, byte[] rows, int to, int stride) {
            int bpp = channels;
            for (int x = 0; x < stride; x++) {
                int a = x >= bpp ? rows[to + x - bpp] & 0xFF : 0;
                int b = to >= stride ? rows[to + x - stride] & 0xFF : 0;
                int c = x >= bpp && to >= stride ? rows[to + x - stride - bpp] & 0xFF : 0;
                int v = raw[from + x] & 0xFF;
                int predicted = switch (filter) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) >>> 1;
                    case 4 -> paeth(a, b, c);
                    default -> throw new BadInputException(name, "unknown PNG row filter " + filter);
                };
                rows[to + x] = (byte) (v + predicted);
            }
        }

        private static int paeth(int a, int b, int c) {
            int p = a + b - c;
            int pa = Math.abs(p - a);
            int pb = Math.abs(p - b);
            int pc = Math.abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
