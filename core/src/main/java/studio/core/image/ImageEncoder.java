package studio.core.image;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_QSCALE;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGRA;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.FF_QP2LAMBDA;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;

import java.nio.file.Path;
import studio.core.io.AtomicFiles;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Lossy still-image encoders through FFmpeg: JPEG (FFmpeg's {@code mjpeg}) and WebP
 * ({@code libwebp}). For lossless output with metadata use {@link PngFiles}. Thread-safe: every
 * call owns its encoder.
 */
public final class ImageEncoder {

    private ImageEncoder() {
    }

    /**
     * Baseline JPEG, 4:2:0, full-range BT.601 (JFIF). {@code quality} 1..100 is mapped linearly onto
     * FFmpeg's quantiser scale 31..2 (it is not libjpeg's quality scale; 90 gives qscale 4).
     */
    public static byte[] jpeg(RgbImage image, int quality) {
        checkQuality(quality);
        int qscale = 2 + Math.round((100 - quality) * 29 / 99f);
        return encode("mjpeg", image, AV_PIX_FMT_YUVJ420P, true, qscale * FF_QP2LAMBDA, Map.of(), context -> {
            context.flags(context.flags() | AV_CODEC_FLAG_QSCALE);
            context.global_quality(qscale * FF_QP2LAMBDA);
            context.color_range(AVCOL_RANGE_JPEG);
        });
    }

    /** WebP through libwebp: lossy VP8 at {@code quality} 1..100, or lossless VP8L. */
    public static byte[] webp(RgbImage image, int quality, boolean lossless) {
        checkQuality(quality);
        Map<String, String> options = Map.of("quality", Integer.toString(quality), "lossless", lossless ? "1" : "0");
        // Lossless WebP must see RGB; lossy WebP is YUV 4:2:0 inside, so convert with our exact swscale.
        int format = lossless ? AV_PIX_FMT_BGRA : AV_PIX_FMT_YUV420P;
        return encode("libwebp", image, format, false, 0, options, context -> { });
    }

    /** Writes {@link #jpeg} bytes to {@code path} atomically. */
    public static void writeJpeg(Path path, RgbImage image, int quality) {
        AtomicFiles.write(path, jpeg(image, quality));
    }

    private static byte[] encode(String encoderName, RgbImage image, int pixelFormat, boolean fullRange, int globalQuality,
            Map<String, String> options, Consumer<AVCodecContext> extra) {
        AVFrame rgb = Ffmpeg.rgbFrame(image);
        AVFrame converted = null;
        try {
            converted = Swscale.convert(rgb, image.width(), image.height(), pixelFormat, SWS_BICUBIC, fullRange);
            // With AV_CODEC_FLAG_QSCALE the mpegvideo encoders take the quantiser from each frame.
            converted.quality(globalQuality);
            try (Encoder encoder = Encoder.open(encoderName, context -> {
                context.width(image.width());
                context.height(image.height());
                context.pix_fmt(pixelFormat);
                context.time_base(av_make_q(1, 25));
                extra.accept(context);
            }, options)) {
                return encoder.encodeStill(converted);
            }
        } finally {
            Ffmpeg.free(converted);
            Ffmpeg.free(rgb);
        }
    }

    private static void checkQuality(int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be 1..100, got " + quality);
        }
    }
}
