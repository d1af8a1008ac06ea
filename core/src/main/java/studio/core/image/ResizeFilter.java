package studio.core.image;

import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.SWS_LANCZOS;
import static org.bytedeco.ffmpeg.global.swscale.SWS_POINT;

import java.util.Locale;
import studio.core.BadInputException;

/**
 * The named resampling filters of {@link ImageResizer}, each one libswscale scaler.
 *
 * <p>The filter is part of an experiment's definition: FID and other feature-space metrics move
 * measurably with the resize filter (Parmar et al., "On Aliased Resizing and Surprising Subtleties
 * in GAN Evaluation", CVPR 2022), so evaluation configs name it and reports record it.
 */
public enum ResizeFilter {
    /** Nearest neighbour ({@code SWS_POINT}): copies pixels, the only choice for label/id maps. */
    NEAREST(SWS_POINT),
    /** Bilinear ({@code SWS_BILINEAR}); swscale widens the kernel when downscaling (antialiased). */
    BILINEAR(SWS_BILINEAR),
    /** Bicubic ({@code SWS_BICUBIC}, swscale's default parameters B=0, C=0.6). */
    BICUBIC(SWS_BICUBIC),
    /** Lanczos ({@code SWS_LANCZOS}, 3 lobes). */
    LANCZOS(SWS_LANCZOS),
    /**
     * Area averaging ({@code SWS_AREA}): an integer-factor downscale gives each block's mean rounded
     * to nearest; an exact .5 tie may go either way (swscale's 14-bit fixed-point coefficients).
     */
    AREA(SWS_AREA);

    private final int swsFlag;

    ResizeFilter(int swsFlag) {
        this.swsFlag = swsFlag;
    }

    int swsFlag() {
        return swsFlag;
    }

    /** Parses a config/CLI name, case-insensitively ("bicubic", "LANCZOS"). */
    public static ResizeFilter parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("resize filter",
                    "unknown filter '" + name + "', expected one of nearest, bilinear, bicubic, lanczos, area");
        }
    }
}
