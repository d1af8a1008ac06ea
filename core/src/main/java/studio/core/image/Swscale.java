package studio.core.image;

import static org.bytedeco.ffmpeg.global.avutil.AVCHROMA_LOC_UNSPECIFIED;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.av_chroma_location_enum_to_pos;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT709;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set_int;
import static org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BITEXACT;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_DEFAULT;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_ITU709;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INP;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INT;
import static org.bytedeco.ffmpeg.global.swscale.sws_alloc_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_init_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale_frame;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;

/**
 * libswscale, configured for exact, repeatable results.
 *
 * <ul>
 *   <li>{@code SWS_ACCURATE_RND} and {@code SWS_BITEXACT}: no approximate SIMD rounding, the same
 *       output on every CPU.</li>
 *   <li>{@code SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP}: chroma is handled at full horizontal
 *       resolution, so RGB→RGB conversions never subsample colour.</li>
 *   <li>{@code sws_dither=none}: by default swscale adds ordered dither when reducing bit depth
 *       (16-bit PNG → 8-bit), which would make a 16-bit file decode differently from its 8-bit twin.</li>
 * </ul>
 * A context is created per call and freed before returning; nothing is shared between threads.
 */
final class Swscale {

    private static final int EXACT_FLAGS = SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP;

    private Swscale() {
    }

    /**
     * Converts/resizes {@code src} into a new frame of {@code dstFormat}; {@code filterFlag} is one
     * swscale filter ({@code SWS_BICUBIC}, ...). It also sets the chroma up-sampling filter of YUV sources.
     */
    static AVFrame convert(AVFrame src, int dstWidth, int dstHeight, int dstFormat, int filterFlag) {
        return convert(src, dstWidth, dstHeight, dstFormat, filterFlag, true);
    }

    /**
     * As {@link #convert(AVFrame, int, int, int, int)}; {@code fullRangeTarget} false gives
     * limited-range ("TV", 16..235) YUV, what H.264 players expect.
     */
    static AVFrame convert(AVFrame src, int dstWidth, int dstHeight, int dstFormat, int filterFlag,
            boolean fullRangeTarget) {
        Ffmpeg.init();
        SwsContext context = sws_alloc_context();
        if (context == null || context.isNull()) {
            throw new OutOfMemoryError("sws_alloc_context failed");
        }
        AVFrame dst = null;
        try {
            boolean fullRangeSource = src.color_range() == AVCOL_RANGE_JPEG;
            av_opt_set_int(context, "srcw", src.width(), 0);
            av_opt_set_int(context, "srch", src.height(), 0);
            av_opt_set_int(context, "src_format", src.format(), 0);
            av_opt_set_int(context, "dstw", dstWidth, 0);
            av_opt_set_int(context, "dsth", dstHeight, 0);
            av_opt_set_int(context, "dst_format", dstFormat, 0);
            av_opt_set_int(context, "sws_flags", filterFlag | EXACT_FLAGS, 0);
            av_opt_set_int(context, "src_range", fullRangeSource ? 1 : 0, 0);
            av_opt_set_int(context, "dst_range", fullRangeTarget ? 1 : 0, 0);
            av_opt_set(context, "sws_dither", "none", 0);
            setChromaPosition(context, src.chroma_location());
            int ret = sws_init_context(context, null, null);
            if (ret < 0) {
                throw new IllegalStateException("sws_init_context " + describe(src, dstWidth, dstHeight, dstFormat)
                        + ": " + Ffmpeg.errorText(ret));
            }
            setYuvMatrix(context, src.colorspace(), fullRangeSource);
            dst = Ffmpeg.allocFrame(dstWidth, dstHeight, dstFormat);
            dst.color_range(fullRangeTarget ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG);
            ret = sws_scale_frame(context, dst, src);
            if (ret < 0) {
                throw new IllegalStateException("sws_scale_frame " + describe(src, dstWidth, dstHeight, dstFormat)
                        + ": " + Ffmpeg.errorText(ret));
            }
            AVFrame result = dst;
            dst = null;
            return result;
        } finally {
            Ffmpeg.free(dst);
            sws_freeContext(context);
        }
    }

    /**
     * BT.709 for sources that declare it (HD video); otherwise swscale's default BT.601, which is what
     * JPEG (JFIF) and WebP (VP8) use. Has no effect on RGB sources.
     */
    private static void setYuvMatrix(SwsContext context, int colorspace, boolean fullRangeSource) {
        if (colorspace == AVCOL_SPC_BT709) {
            sws_setColorspaceDetails(context, sws_getCoefficients(SWS_CS_ITU709), fullRangeSource ? 1 : 0,
                    sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
        }
    }

    /**
     * Where subsampled chroma samples sit (JPEG: centred between luma samples; MPEG-2/H.264: left).
     * swscale does not read it from the frame, and a wrong siting shifts colour edges by half a pixel.
     */
    private static void setChromaPosition(SwsContext context, int chromaLocation) {
        if (chromaLocation == AVCHROMA_LOC_UNSPECIFIED) {
            return;
        }
        int[] x = new int[1];
        int[] y = new int[1];
        if (av_chroma_location_enum_to_pos(x, y, chromaLocation) >= 0) {
            av_opt_set_int(context, "src_h_chr_pos", x[0], 0);
            av_opt_set_int(context, "src_v_chr_pos", y[0], 0);
        }
    }

    private static String describe(AVFrame src, int dstWidth, int dstHeight, int dstFormat) {
        return src.width() + "x" + src.height() + " fmt " + src.format() + " -> " + dstWidth + "x" + dstHeight
                + " fmt " + dstFormat;
    }
}
