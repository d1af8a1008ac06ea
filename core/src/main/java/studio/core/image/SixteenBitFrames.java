package studio.core.image;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY16BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB48BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGBA64BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YA16BE;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * 16-bit PNG pictures (what FFmpeg's png decoder outputs for bit depth 16) to 8-bit RGB.
 *
 * <p>Done here rather than by swscale because swscale's RGB48 → RGB24 path is off by one for
 * half of the values (measured: 16-bit 133·257 came out as 134), so a 16-bit file would not
 * decode like its 8-bit twin. Each sample is rounded to nearest: {@code round(v · 255 / 65535)},
 * so {@code v = k · 257} gives exactly {@code k}. Alpha is dropped, gray is replicated.
 */
final class SixteenBitFrames {

    private SixteenBitFrames() {
    }

    /** Whether {@link #toRgb} handles this pixel format. */
    static boolean handles(int pixelFormat) {
        return samplesPerPixel(pixelFormat) > 0;
    }

    static RgbImage toRgb(AVFrame frame) {
        int samples = samplesPerPixel(frame.format());
        boolean gray = samples <= 2;
        int width = frame.width();
        int height = frame.height();
        RgbImage.checkPixelCount(width, height);
        byte[] rgb = new byte[width * height * 3];
        byte[] row = new byte[width * samples * 2];
        BytePointer data = frame.data(0);
        for (int y = 0; y < height; y++) {
            data.position((long) y * frame.linesize(0)).get(row);
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    int at = 2 * (x * samples + (gray ? 0 : c));
                    int value = (row[at] & 0xFF) << 8 | (row[at + 1] & 0xFF);
                    rgb[(y * width + x) * 3 + c] = (byte) ((value * 255 + 32767) / 65535);
                }
            }
        }
        data.position(0);
        return new RgbImage(width, height, rgb);
    }

    /** Big-endian 16-bit samples per pixel of the formats FFmpeg's png decoder produces; 0 if other. */
    private static int samplesPerPixel(int pixelFormat) {
        if (pixelFormat == AV_PIX_FMT_RGB48BE) {
            return 3;
        }
        if (pixelFormat == AV_PIX_FMT_RGBA64BE) {
            return 4;
        }
        if (pixelFormat == AV_PIX_FMT_GRAY16BE) {
            return 1;
        }
        return pixelFormat == AV_PIX_FMT_YA16BE ? 2 : 0;
    }
}
