package studio.eval.geneval;

import java.awt.image.BufferedImage;
import studio.core.BadInputException;

/**
 * The image the colour classifier sees for one detection, as {@code ImageCrops.__getitem__} in
 * evaluate_images.py builds it with the default options ({@code bgcolor="#999"}, {@code crop="1"}):
 * the image composited over a solid #999999 grey through the instance mask, then cropped to the box.
 */
public final class ColorCrops {
    /** PIL's {@code "#999"}: each hex digit doubled, (153, 153, 153). */
    public static final int BACKGROUND_RGB = 0x999999;

    private ColorCrops() {}

    /**
     * Composite then crop. The crop box follows PIL's {@code Image.crop}: each coordinate rounded half to
     * even (Python {@code round}), pixels outside the image black. Without a mask the crop keeps the
     * original background, as the official code does when {@code mask is None}.
     */
    public static BufferedImage officialCrop(BufferedImage image, Detection detection, String where) {
        Mask mask = detection.mask();
        if (mask != null && (mask.width() != image.getWidth() || mask.height() != image.getHeight())) {
            throw new BadInputException(where, "mask of " + detection.className() + " is " + mask.width() + "x"
                    + mask.height() + " but the image is " + image.getWidth() + "x" + image.getHeight());
        }
        Box box = detection.box();
        int left = (int) Math.rint(box.x1());
        int top = (int) Math.rint(box.y1());
        int right = (int) Math.rint(box.x2());
        int bottom = (int) Math.rint(box.y2());
        if (right <= left || bottom <= top) {
            throw new BadInputException(where, "box of " + detection.className() + " rounds to an empty crop: " + box);
        }
        BufferedImage crop = new BufferedImage(right - left, bottom - top, BufferedImage.TYPE_INT_RGB);
        for (int y = top; y < bottom; y++) {
            for (int x = left; x < right; x++) {
                crop.setRGB(x - left, y - top, compositePixel(image, mask, x, y));
            }
        }
        return crop;
    }

    private static int compositePixel(BufferedImage image, Mask mask, int x, int y) {
        if (x < 0 || y < 0 || x >= image.getWidth() || y >= image.getHeight()) {
            return 0;
        }
        if (mask != null && !mask.inside(x, y)) {
            return BACKGROUND_RGB;
        }
        return image.getRGB(x, y) & 0xFFFFFF;
    }
}
