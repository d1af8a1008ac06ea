package studio.captioner;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import studio.core.data.caption.TagConvention;
import studio.core.data.panoptic.IdMask;
import studio.core.image.RgbImage;

/**
 * The check's overlay: the image scaled up (nearest neighbour) so labels are legible, every segment
 * outlined in its own colour along its mask boundary, and labelled {@code k: class} with k the tag
 * number captions use for it. Drawn with java.awt in headless mode (no display needed).
 */
public final class Overlay {
    /** The overlay's longer side is at least this many pixels. */
    static final int MIN_SIDE = 512;

    private Overlay() {}

    public static RgbImage draw(RgbImage image, GroundedResult result) {
        System.setProperty("java.awt.headless", "true");
        IdMask mask = result.mask();
        int scale = Math.max(1, (int) Math.ceil((double) MIN_SIDE / Math.max(image.width(), image.height())));
        BufferedImage out = new BufferedImage(image.width() * scale, image.height() * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, image.rgbAt(x / scale, y / scale));
            }
        }
        outline(out, mask, scale, result);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(11, 12 * scale / 8)));
            for (GroundedResult.Segment s : result.segments()) {
                label(g, s, scale, colour(s.id()));
            }
        } finally {
            g.dispose();
        }
        return toRgb(out);
    }

    /** Boundary pixels of each segment (a 4-neighbour has another id), thickened to the scale. */
    private static void outline(BufferedImage out, IdMask mask, int scale, GroundedResult result) {
        int w = mask.width();
        int h = mask.height();
        int[] ids = mask.ids();
        int thickness = Math.max(1, scale / 3);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int id = ids[y * w + x];
                if (id == 0 || result.segment(id).isEmpty()) {
                    continue;
                }
                boolean edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 || ids[y * w + x - 1] != id || ids[y * w + x + 1] != id
                        || ids[(y - 1) * w + x] != id || ids[(y + 1) * w + x] != id;
                if (edge) {
                    int rgb = colour(id).getRGB();
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            if (dx < thickness || dy < thickness || dx >= scale - thickness || dy >= scale - thickness) {
                                out.setRGB(x * scale + dx, y * scale + dy, rgb);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void label(Graphics2D g, GroundedResult.Segment s, int scale, Color c) {
        String text = TagConvention.tagNumber(s.id()) + ": " + s.className();
        FontMetrics fm = g.getFontMetrics();
        int x = s.box().x() * scale + 2;
        int y = s.box().y() * scale + 2;
        g.setColor(new Color(0, 0, 0, 170));
        g.fillRect(x, y, fm.stringWidth(text) + 6, fm.getHeight());
        g.setStroke(new BasicStroke(1));
        g.setColor(c);
        g.drawString(text, x + 3, y + fm.getAscent());
    }

    /** A bright, stable colour per segment id (golden-angle hues). */
    static Color colour(long id) {
        return Color.getHSBColor((float) ((id * 0.618033988749895) % 1.0), 0.85f, 1.0f);
    }

    private static RgbImage toRgb(BufferedImage img) {
        byte[] rgb = new byte[img.getWidth() * img.getHeight() * 3];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int i = 3 * (y * img.getWidth() + x);
                rgb[i] = (byte) (p >> 16);
                rgb[i + 1] = (byte) (p >> 8);
                rgb[i + 2] = (byte) p;
            }
        }
        return new RgbImage(img.getWidth(), img.getHeight(), rgb);
    }
}
