package studio.core.data;

import java.nio.file.Path;
import java.util.List;
import studio.core.image.ImageDecoder;
import studio.core.image.PngFiles;
import studio.core.image.RgbImage;

/**
 * The data formats' only door to image files: RGB pixels in, RGB pixels out. It delegates to
 * {@code studio.core.image}: PNGs are written by {@link PngFiles} (8-bit RGB, fixed zlib level and
 * deterministic filter choice, so the world's bytes depend on the pixels alone, WORLD.md) and any
 * image is read by {@link ImageDecoder} (FFmpeg), which copies 8-bit RGB PNGs untouched, so panoptic
 * id PNGs ({@code id = R + 256·G + 256²·B}) round-trip bit-exactly. Errors are
 * {@link studio.core.BadInputException}s naming the file.
 */
public final class DataPng {
    private DataPng() {}

    /** Decodes any image file (PNG, JPEG, WebP, ...) to 8-bit RGB. */
    public static RgbImage read(Path file) {
        return ImageDecoder.read(file);
    }

    /** Decodes image bytes held in memory; {@code name} appears in error messages. */
    public static RgbImage decode(byte[] encoded, String name) {
        return ImageDecoder.decode(encoded, name);
    }

    /** Writes a PNG (atomically replacing {@code file}). */
    public static void write(Path file, RgbImage pixels) {
        PngFiles.write(file, pixels, List.of());
    }

    /** The PNG bytes for {@code pixels}: the same pixels always give the same bytes. */
    public static byte[] encode(RgbImage pixels) {
        return PngFiles.encode(pixels, List.of());
    }
}
