package studio.core.image;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_make_error_string;

import java.nio.charset.StandardCharsets;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * The one place that touches process-wide FFmpeg state, plus small helpers shared by the decoders
 * and encoders of this package.
 *
 * <p>FFmpeg logs to stderr from native code by default (e.g. "invalid PNG signature" for every bad
 * upload). Every failure is reported to the caller as an exception carrying FFmpeg's error text,
 * so the log is silenced once, before the first FFmpeg call of this package.
 */
final class Ffmpeg {

    static {
        av_log_set_level(AV_LOG_QUIET);
    }

    private Ffmpeg() {
    }

    /** Runs the static initialiser (log level) if it has not run yet. */
    static void init() {
        // Intentionally empty: touching the class is enough.
    }

    /** FFmpeg's text for a negative error code, e.g. "Invalid data found when processing input". */
    static String errorText(int code) {
        try (BytePointer buffer = new BytePointer(256)) {
            av_make_error_string(buffer, 256, code);
            // BytePointer.getString() would read the whole 256-byte capacity; stop at the NUL.
            byte[] bytes = new byte[256];
            buffer.get(bytes);
            int end = 0;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            return new String(bytes, 0, end, StandardCharsets.UTF_8) + " (" + code + ")";
        }
    }

    /** Allocates an AVFrame with its own buffers; the caller frees it with {@link #free(AVFrame)}. */
    static AVFrame allocFrame(int width, int height, int pixelFormat) {
        AVFrame frame = av_frame_alloc();
        if (frame == null || frame.isNull()) {
            throw new OutOfMemoryError("av_frame_alloc failed");
        }
        frame.format(pixelFormat);
        frame.width(width);
        frame.height(height);
        int ret = av_frame_get_buffer(frame, 0);
        if (ret < 0) {
            free(frame);
            throw new IllegalStateException("av_frame_get_buffer " + width + "x" + height + ": " + errorText(ret));
        }
        return frame;
    }

    static void free(AVFrame frame) {
        if (frame != null && !frame.isNull()) {
            av_frame_free(frame);
        }
    }

    /** An RGB24 AVFrame holding a copy of {@code image}. */
    static AVFrame rgbFrame(RgbImage image) {
        AVFrame frame = allocFrame(image.width(), image.height(), AV_PIX_FMT_RGB24);
        BytePointer data = frame.data(0);
        int stride = frame.linesize(0);
        int rowBytes = image.width() * 3;
        for (int y = 0; y < image.height(); y++) {
            data.position((long) y * stride).put(image.rgb(), y * rowBytes, rowBytes);
        }
        data.position(0);
        return frame;
    }

    /** Copies an RGB24 AVFrame into a new image (dropping the frame's row padding). */
    static RgbImage rgbImage(AVFrame frame) {
        int width = frame.width();
        int height = frame.height();
        RgbImage.checkPixelCount(width, height);
        byte[] rgb = new byte[width * height * 3];
        BytePointer data = frame.data(0);
        int stride = frame.linesize(0);
        int rowBytes = width * 3;
        for (int y = 0; y < height; y++) {
            data.position((long) y * stride).get(rgb, y * rowBytes, rowBytes);
        }
        data.position(0);
        return new RgbImage(width, height, rgb);
    }
}
