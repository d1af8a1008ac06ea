package studio.core.data.panoptic;

import java.util.List;

/** A COCO panoptic category: {@code id, name, isthing, supercategory, color} ([r, g, b] display colour). */
public record Category(int id, String name, int isthing, String supercategory, List<Integer> color) {
    public Category {
        color = List.copyOf(color);
    }

    public boolean thing() {
        return isthing == 1;
    }
}
