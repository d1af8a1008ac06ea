package studio.core.data.panoptic;

import java.util.List;

/** A COCO box {@code [x, y, width, height]} in pixels, as {@code cv2.boundingRect} returns it for a mask. */
public record BBox(int x, int y, int width, int height) {
    public List<Integer> asList() {
        return List.of(x, y, width, height);
    }

    public double centreX() {
        return x + width / 2.0;
    }

    public double centreY() {
        return y + height / 2.0;
    }
}
