package studio.captioner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import studio.core.data.DataPng;
import studio.core.data.pancap.CaptionFolder;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.ImageInfo;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.data.panoptic.PanopticJson;
import studio.core.data.panoptic.PanopticJsonWriter;

/**
 * Writes captioner outputs in the dataset layout (WORLD.md "Files": {@code panoptic.json},
 * {@code panoptic/<id>.png}, {@code captions/<id>.txt}), i.e. the COCO panoptic <i>results</i> format
 * panopticapi reads, so {@code studio eval pq} and {@code studio eval caption} score them.
 */
public final class PredictionWriter {
    private final Path root;
    private final List<ImageInfo> images = new ArrayList<>();
    private final List<PanopticAnnotation> annotations = new ArrayList<>();

    public PredictionWriter(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve("panoptic"));
        Files.createDirectories(root.resolve("captions"));
    }

    public void add(long imageId, String imageFileName, GroundedResult result) throws IOException {
        String png = String.format(java.util.Locale.ROOT, "%012d.png", imageId);
        DataPng.write(root.resolve("panoptic").resolve(png), result.mask().toRgb());
        Files.writeString(root.resolve("captions").resolve(CaptionFolder.fileName(imageId)), result.caption(), StandardCharsets.UTF_8);
        images.add(new ImageInfo(imageId, imageFileName, result.mask().width(), result.mask().height()));
        annotations.add(new PanopticAnnotation(imageId, png, result.segmentInfos(), 0));
    }

    /** Writes {@code panoptic.json} with the given categories (the ground truth's). */
    public void finish(Map<Integer, Category> categories) throws IOException {
        PanopticJson json = new PanopticJson(images, annotations, new ArrayList<>(categories.values()));
        Files.write(root.resolve("panoptic.json"), PanopticJsonWriter.toBytes(json));
    }
}
