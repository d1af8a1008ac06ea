package studio.core.image;

import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import java.util.Map;
import java.util.Random;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;

/** Fixtures shared by the image tests: random images and PNGs of other pixel formats made by FFmpeg. */
final class TestImages {

    private TestImages() {
    }

    static RgbImage random(int width, int height, long seed) {
        byte[] rgb = new byte[width * height * 3];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(width, height, rgb);
    }

    /** Smooth colour gradients and waves, a stand-in for a photo in lossy-codec tests. */
    static RgbImage smooth(int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                rgb[i] = (byte) (255 * x / (width - 1));
                rgb[i + 1] = (byte) (255 * y / (height - 1));
                rgb[i + 2] = (byte) Math.round(128 + 90 * Math.sin(x / 7.0) * Math.cos(y / 5.0));
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /**
     * A PNG made by FFmpeg's png encoder from raw pixels of {@code pixelFormat}; {@code packed} holds
     * rows of {@code rowBytes} without padding, {@code palette} (ARGB) is used for PAL8 only.
     */
    static byte[] ffmpegPng(int width, int height, int pixelFormat, byte[] packed, int rowBytes, int[] palette) {
        AVFrame frame = Ffmpeg.allocFrame(width, height, pixelFormat);
        try {
            BytePointer data = frame.data(0);
            for (int y = 0; y < height; y++) {
                data.position((long) y * frame.linesize(0)).put(packed, y * rowBytes, rowBytes);
            }
            if (palette != null) {
                new IntPointer(frame.data(1)).put(palette);
            }
            try (Encoder encoder = Encoder.open("png", context -> {
                context.width(width);
                context.height(height);
                context.pix_fmt(pixelFormat);
                context.time_base(av_make_q(1, 25));
            }, Map.of())) {
                return encoder.encodeStill(frame);
            }
        } finally {
            Ffmpeg.free(frame);
        }
    }

    /** Peak signal-to-noise ratio in dB over all channels. */
    static double psnr(RgbImage a, RgbImage b) {
        double sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            double d = (a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF);
            sum += d * d;
        }
        double mse = sum / a.rgb().length;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }
}
