package studio.core.image;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_PAL8;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * RGB → 8-bit palette for GIF: a fixed 6×7×6 colour cube (252 colours; green gets the extra level
 * because the eye resolves it best) with 4×4 ordered (Bayer) dithering.
 *
 * <p>Ordered dithering is chosen over error diffusion because it is stable over time: a pixel that
 * does not change between frames keeps its palette index, so animations of a denoising run do not
 * shimmer, and the GIF encoder can skip unchanged regions. A fixed palette also keeps the result
 * independent of frame content and order.
 */
final class GifPalette {

    private static final int RED_LEVELS = 6;
    private static final int GREEN_LEVELS = 7;
    private static final int BLUE_LEVELS = 6;
    private static final int[] BAYER_4X4 = {0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5};
    /** Palette entries as AV_PIX_FMT_PAL8 wants them: native-endian 0xAARRGGBB, 256 entries. */
    private static final int[] PALETTE = buildPalette();

    private GifPalette() {
    }

    private static int[] buildPalette() {
        int[] palette = new int[256];
        for (int r = 0; r < RED_LEVELS; r++) {
            for (int g = 0; g < GREEN_LEVELS; g++) {
                for (int b = 0; b < BLUE_LEVELS; b++) {
                    palette[index(r, g, b)] = 0xFF000000 | level(r, RED_LEVELS) << 16
                            | level(g, GREEN_LEVELS) << 8 | level(b, BLUE_LEVELS);
                }
            }
        }
        for (int i = RED_LEVELS * GREEN_LEVELS * BLUE_LEVELS; i < 256; i++) {
            palette[i] = 0xFF000000; // unused, opaque black
        }
        return palette;
    }

    private static int index(int r, int g, int b) {
        return (r * GREEN_LEVELS + g) * BLUE_LEVELS + b;
    }

    private static int level(int step, int levels) {
        return Math.round(step * 255f / (levels - 1));
    }

    /** A PAL8 frame of {@code image}; the caller frees it. */
    static AVFrame toPal8(RgbImage image) {
        int width = image.width();
        AVFrame frame = Ffmpeg.allocFrame(width, image.height(), AV_PIX_FMT_PAL8);
        byte[] row = new byte[width];
        BytePointer indices = frame.data(0);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < width; x++) {
                // Threshold in (-0.5, 0.5) of one palette step.
                float threshold = (BAYER_4X4[(y & 3) * 4 + (x & 3)] + 0.5f) / 16f - 0.5f;
                int r = quantize(image.get(x, y, 0), RED_LEVELS, threshold);
                int g = quantize(image.get(x, y, 1), GREEN_LEVELS, threshold);
                int b = quantize(image.get(x, y, 2), BLUE_LEVELS, threshold);
                row[x] = (byte) index(r, g, b);
            }
            indices.position((long) y * frame.linesize(0)).put(row);
        }
        indices.position(0);
        new IntPointer(frame.data(1)).put(PALETTE);
        return frame;
    }

    private static int quantize(int value, int levels, float threshold) {
        int step = Math.round(value * (levels - 1) / 255f + threshold);
        return Math.max(0, Math.min(levels - 1, step));
    }
}
