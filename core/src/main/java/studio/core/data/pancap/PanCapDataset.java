package studio.core.data.pancap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import studio.core.BadInputException;
import studio.core.data.Problems;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.ImageInfo;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.data.panoptic.PanopticJson;
import studio.core.data.panoptic.PanopticJsonReader;

/**
 * A PanCap-format dataset opened for reading: the panoptic JSON as records, captions from a folder or
 * a tar, masks and images left on disk and read one sample at a time ({@link PanCapSample}).
 */
public final class PanCapDataset {
    private final PanCapLayout layout;
    private final PanopticJson json;
    private final CaptionSource captions;

    private PanCapDataset(PanCapLayout layout, PanopticJson json, CaptionSource captions) {
        this.layout = layout;
        this.json = json;
        this.captions = captions;
    }

    /** Opens the standard layout under {@code root}; malformed JSON or a missing file throws {@link BadInputException}. */
    public static PanCapDataset open(Path root) throws IOException {
        return open(PanCapLayout.standard(root), Problems.strict());
    }

    /** Opens any layout; problems with the JSON or caption tar go to {@code problems}. Null if the JSON is unusable. */
    public static PanCapDataset open(PanCapLayout layout, Problems problems) throws IOException {
        if (!Files.isDirectory(layout.root())) {
            throw new BadInputException(layout.root().toString(), "not a directory");
        }
        PanopticJson json = PanopticJsonReader.read(layout.panopticJson(), layout.show(layout.panopticJson()), problems);
        if (json == null) {
            return null;
        }
        return new PanCapDataset(layout, json, captionSource(layout, problems));
    }

    private static CaptionSource captionSource(PanCapLayout layout, Problems problems) throws IOException {
        Path c = layout.captions();
        if (Files.isRegularFile(c) && c.getFileName().toString().endsWith(".tar")) {
            return CaptionTar.open(c, layout.show(c), problems);
        }
        return new CaptionFolder(c, layout.show(c));
    }

    public PanCapLayout layout() {
        return layout;
    }

    public PanopticJson json() {
        return json;
    }

    public CaptionSource captions() {
        return captions;
    }

    public Map<Integer, Category> categories() {
        return json.categoriesById();
    }

    /** The sample of one annotation: paths resolved, nothing decoded yet. */
    public PanCapSample sample(PanopticAnnotation annotation) {
        ImageInfo info = json.imagesById().get(annotation.imageId());
        String imageName = info != null ? info.fileName() : annotation.fileName();
        return new PanCapSample(annotation, info, safeResolve(layout.imageDir(), imageName), safeResolve(layout.maskDir(), annotation.fileName()),
                this);
    }

    /** Resolves a file name from the JSON inside {@code dir}; names that would leave it are refused (untrusted input). */
    static Path safeResolve(Path dir, String name) {
        Path p = dir.resolve(name).normalize();
        if (!p.startsWith(dir.normalize()) || name.isEmpty()) {
            throw new BadInputException(name, "file name points outside " + dir);
        }
        return p;
    }
}
