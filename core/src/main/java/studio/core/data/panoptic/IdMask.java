package studio.core.data.panoptic;

import java.util.ArrayList;
import java.util.List;
import studio.core.image.RgbImage;

/**
 * A panoptic id map, row-major, one int per pixel. The PNG form is 8-bit RGB with
 * {@code id = R + 256·G + 256²·B} (panopticapi {@code rgb2id}, EVAL.md §3.1); 0 is void.
 */
public record IdMask(int width, int height, int[] ids) {
    /** The largest id an 8-bit RGB pixel can hold. */
    public static final int MAX_ID = (1 << 24) - 1;

    public IdMask {
        if (width <= 0 || height <= 0 || (long) width * height != ids.length) {
            throw new IllegalArgumentException("mask " + width + "x" + height + " does not match " + ids.length + " ids");
        }
    }

    public static IdMask fromRgb(RgbImage pixels) {
        byte[] rgb = pixels.rgb();
        int[] ids = new int[pixels.width() * pixels.height()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (rgb[3 * i] & 0xFF) | (rgb[3 * i + 1] & 0xFF) << 8 | (rgb[3 * i + 2] & 0xFF) << 16;
        }
        return new IdMask(pixels.width(), pixels.height(), ids);
    }

    public RgbImage toRgb() {
        byte[] rgb = new byte[ids.length * 3];
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id > MAX_ID) {
                throw new IllegalStateException("id " + id + " does not fit an RGB pixel");
            }
            rgb[3 * i] = (byte) id;
            rgb[3 * i + 1] = (byte) (id >> 8);
            rgb[3 * i + 2] = (byte) (id >> 16);
        }
        return new RgbImage(width, height, rgb);
    }

    /**
     * Area and box of every non-void id present, ascending by id. The box is inclusive of both end
     * pixels, like {@code cv2.boundingRect} (COCONut's {@code extract_bbox.py}).
     */
    public List<MaskGeometry> geometry() {
        int maxId = 0;
        for (int id : ids) {
            maxId = Math.max(maxId, id);
        }
        // Ids are small and consecutive in COCONut and the world; fall back to sorting when they are not.
        return maxId <= 4 * ids.length + 1024 ? denseGeometry(maxId) : sparseGeometry();
    }

    private List<MaskGeometry> denseGeometry(int maxId) {
        long[] area = new long[maxId + 1];
        int[] minX = new int[maxId + 1];
        int[] minY = new int[maxId + 1];
        int[] maxX = new int[maxId + 1];
        int[] maxY = new int[maxId + 1];
        java.util.Arrays.fill(minX, Integer.MAX_VALUE);
        java.util.Arrays.fill(minY, Integer.MAX_VALUE);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int id = ids[y * width + x];
                area[id]++;
                minX[id] = Math.min(minX[id], x);
                minY[id] = Math.min(minY[id], y);
                maxX[id] = Math.max(maxX[id], x);
                maxY[id] = Math.max(maxY[id], y);
            }
        }
        List<MaskGeometry> out = new ArrayList<>();
        for (int id = 1; id <= maxId; id++) {
            if (area[id] > 0) {
                out.add(new MaskGeometry(id, area[id], new BBox(minX[id], minY[id], maxX[id] - minX[id] + 1, maxY[id] - minY[id] + 1)));
            }
        }
        return out;
    }

    private List<MaskGeometry> sparseGeometry() {
        java.util.TreeMap<Integer, int[]> boxes = new java.util.TreeMap<>();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int id = ids[y * width + x];
                if (id == 0) {
                    continue;
                }
                int[] b = boxes.computeIfAbsent(id, k -> new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1, 0});
                b[0] = Math.min(b[0], x);
                b[1] = Math.min(b[1], y);
                b[2] = Math.max(b[2], x);
                b[3] = Math.max(b[3], y);
                b[4]++;
            }
        }
        List<MaskGeometry> out = new ArrayList<>();
        boxes.forEach((id, b) -> out.add(new MaskGeometry(id, b[4], new BBox(b[0], b[1], b[2] - b[0] + 1, b[3] - b[1] + 1))));
        return out;
    }
}
