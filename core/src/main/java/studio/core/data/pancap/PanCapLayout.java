package studio.core.data.pancap;

import java.nio.file.Path;

/**
 * Where the parts of a PanCap-format dataset live. {@link #standard} is the world's (and COCONut-PanCap's)
 * layout (WORLD.md "Files"); real COCONut data names them freely, e.g.
 * {@code annotations/panoptic_train2017.json}, {@code panoptic_train2017/}, {@code train2017/} and a
 * caption folder or tar, so the parts can be given one by one.
 */
public record PanCapLayout(Path root, Path panopticJson, Path maskDir, Path imageDir, Path captions) {
    public static PanCapLayout standard(Path root) {
        return new PanCapLayout(root, root.resolve("panoptic.json"), root.resolve("panoptic"), root.resolve("images"),
                root.resolve("captions"));
    }

    /** A path as shown in messages: relative to the root when it is inside it. */
    public String show(Path p) {
        Path rel = p.startsWith(root) ? root.relativize(p) : p;
        return rel.toString().isEmpty() ? p.toString() : rel.toString();
    }
}
