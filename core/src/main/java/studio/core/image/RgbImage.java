package studio.core.image;

import java.util.Arrays;

/**
 * An 8-bit sRGB image: {@code width × height} pixels, stored row-major, interleaved R, G, B
 * ("HWC", no row padding), i.e. the byte of channel {@code c} at ({@code x}, {@code y}) is
 * {@code rgb[(y * width + x) * 3 + c]}. This is the one pixel type of the studio: every decoder
 * produces it, every encoder takes it, and tensors are converted from and to it
 * ({@link ImageTensors}).
 *
 * <p>The record does not copy the array; treat it as immutable once built.
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " bytes for "
                    + width + "x" + height + " RGB, got " + rgb.length);
        }
    }

    /** A black image. */
    public static RgbImage blank(int width, int height) {
        checkPixelCount(width, height);
        return new RgbImage(width, height, new byte[width * height * 3]);
    }

    /** A single-colour image; channel values 0..255. */
    public static RgbImage filled(int width, int height, int r, int g, int b) {
        RgbImage image = blank(width, height);
        for (int i = 0; i < image.rgb.length; i += 3) {
            image.rgb[i] = (byte) r;
            image.rgb[i + 1] = (byte) g;
            image.rgb[i + 2] = (byte) b;
        }
        return image;
    }

    /** Channel {@code c} (0 = R, 1 = G, 2 = B) at ({@code x}, {@code y}), as 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** The pixel at ({@code x}, {@code y}) as {@code 0xRRGGBB}. */
    public int rgbAt(int x, int y) {
        int i = (y * width + x) * 3;
        return (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
    }

    /**
     * COCO panoptic segment ids, row-major: {@code id = R + 256·G + 256²·B} (panopticapi
     * {@code rgb2id}). Exact only for losslessly stored images (PNG), never for JPEG.
     */
    public int[] panopticIds() {
        int[] ids = new int[width * height];
        for (int p = 0; p < ids.length; p++) {
            int i = p * 3;
            ids[p] = (rgb[i] & 0xFF) | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF) << 16;
        }
        return ids;
    }

    /** The inverse of {@link #panopticIds()} (panopticapi {@code id2rgb}); ids must be in 0..2²⁴−1. */
    public static RgbImage fromPanopticIds(int width, int height, int[] ids) {
        if (ids.length != width * height) {
            throw new IllegalArgumentException("expected " + width * height + " ids, got " + ids.length);
        }
        byte[] rgb = new byte[ids.length * 3];
        for (int p = 0; p < ids.length; p++) {
            int id = ids[p];
            if (id < 0 || id > 0xFFFFFF) {
                throw new IllegalArgumentException("panoptic id out of range 0..16777215: " + id);
            }
            rgb[p * 3] = (byte) id;
            rgb[p * 3 + 1] = (byte) (id >> 8);
            rgb[p * 3 + 2] = (byte) (id >> 16);
        }
        return new RgbImage(width, height, rgb);
    }

    /** The sub-image with top-left corner ({@code x}, {@code y}). */
    public RgbImage crop(int x, int y, int cropWidth, int cropHeight) {
        if (x < 0 || y < 0 || cropWidth <= 0 || cropHeight <= 0
                || x + cropWidth > width || y + cropHeight > height) {
            throw new IllegalArgumentException("crop " + cropWidth + "x" + cropHeight + "+" + x + "+" + y
                    + " outside " + width + "x" + height);
        }
        byte[] out = new byte[cropWidth * cropHeight * 3];
        for (int row = 0; row < cropHeight; row++) {
            System.arraycopy(rgb, ((y + row) * width + x) * 3, out, row * cropWidth * 3, cropWidth * 3);
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }

    /** Images are equal when their sizes and pixels are (records compare arrays by identity). */
    @Override
    public boolean equals(Object other) {
        return other instanceof RgbImage o && o.width == width && o.height == height && Arrays.equals(o.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }

    /** Rejects sizes whose byte count does not fit a Java array. */
    static void checkPixelCount(int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height * 3 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("unsupported image size " + width + "x" + height);
        }
    }
}
