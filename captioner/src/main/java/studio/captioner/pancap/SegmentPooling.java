package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;

/**
 * Mask pooling (PanCaper-Pro's segment features): the mean of the per-pixel embeddings and of the input
 * colours under each segment's mask, plus the segment's box and size, so the caption decoder can say
 * which colour, size and position a segment has.
 */
final class SegmentPooling {
    /** Numbers besides the pooled embedding: mean RGB (3), box x0, y0, x1, y1 as fractions (4), √(area fraction) (1). */
    static final int EXTRA = 8;
    /** Numbers of {@link #geometry}: box (4) and √area (1). */
    static final int GEOMETRY = 5;

    private SegmentPooling() {}

    /**
     * masks [B, K, H·W] (0/1), pixels [B, E, H·W], rgb [B, 3, H·W], geometry [B, K, 5] → [B, K, E + 8].
     * An empty (padding) mask pools to zeros.
     */
    static NDArray pool(NDArray masks, NDArray pixels, NDArray rgb, NDArray geometry) {
        NDArray area = masks.sum(new int[] {2}, true).maximum(1f); // [B, K, 1]
        NDArray pooled = masks.matMul(pixels.transpose(0, 2, 1)).div(area); // [B, K, E]
        NDArray colour = masks.matMul(rgb.transpose(0, 2, 1)).div(area); // [B, K, 3]
        return pooled.concat(colour, 2).concat(geometry, 2);
    }

    /** Box and √area of the pixels of {@code mask} (row-major, side × side), as in {@link #EXTRA}'s last five. */
    static float[] geometry(boolean[] mask, int side) {
        int x0 = side;
        int y0 = side;
        int x1 = -1;
        int y1 = -1;
        int area = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                int x = i % side;
                int y = i / side;
                x0 = Math.min(x0, x);
                y0 = Math.min(y0, y);
                x1 = Math.max(x1, x);
                y1 = Math.max(y1, y);
                area++;
            }
        }
        if (area == 0) {
            return new float[GEOMETRY];
        }
        float s = side;
        return new float[] {x0 / s, y0 / s, (x1 + 1) / s, (y1 + 1) / s, (float) Math.sqrt(area / (s * s))};
    }
}
