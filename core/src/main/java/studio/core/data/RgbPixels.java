package studio.core.data;

/** 8-bit RGB pixels, row-major, 3 bytes per pixel: what the data formats read and write. */
public record RgbPixels(int width, int height, byte[] rgb) {
    public RgbPixels {
        if (width <= 0 || height <= 0 || (long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException(width + "x" + height + " RGB needs " + 3L * width * height + " bytes, got " + rgb.length);
        }
    }
}
