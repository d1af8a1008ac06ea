package studio.core.image;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;

import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Resizing with a named filter ({@link ResizeFilter}), through libswscale with exact, CPU
 * independent rounding (see {@link Swscale}); the same input gives the same bytes on every run.
 * Stateless and thread-safe.
 */
public final class ImageResizer {

    private ImageResizer() {
    }

    /** Scales {@code image} to exactly {@code width × height} (aspect ratio not preserved). */
    public static RgbImage resize(RgbImage image, int width, int height, ResizeFilter filter) {
        RgbImage.checkPixelCount(width, height);
        if (width == image.width() && height == image.height()) {
            return image;
        }
        AVFrame src = Ffmpeg.rgbFrame(image);
        AVFrame dst = null;
        try {
            dst = Swscale.convert(src, width, height, AV_PIX_FMT_RGB24, filter.swsFlag());
            return Ffmpeg.rgbImage(dst);
        } finally {
            Ffmpeg.free(dst);
            Ffmpeg.free(src);
        }
    }

    /**
     * Crops the largest centred region with the target aspect ratio, then resizes it to
     * {@code width × height}: the usual preprocessing for square training and FID inputs.
     * When the crop offset is fractional it is rounded down (as torchvision's CenterCrop rounds).
     */
    public static RgbImage centerCropResize(RgbImage image, int width, int height, ResizeFilter filter) {
        RgbImage.checkPixelCount(width, height);
        long scaledWidth = (long) image.height() * width;
        long scaledHeight = (long) image.width() * height;
        int cropWidth = image.width();
        int cropHeight = image.height();
        if (scaledWidth < scaledHeight) {
            // Source is wider than the target: keep full height.
            cropWidth = (int) Math.max(1, Math.round((double) image.height() * width / height));
        } else if (scaledWidth > scaledHeight) {
            cropHeight = (int) Math.max(1, Math.round((double) image.width() * height / width));
        }
        RgbImage cropped = cropWidth == image.width() && cropHeight == image.height() ? image
                : image.crop((image.width() - cropWidth) / 2, (image.height() - cropHeight) / 2, cropWidth, cropHeight);
        return resize(cropped, width, height, filter);
    }
}
