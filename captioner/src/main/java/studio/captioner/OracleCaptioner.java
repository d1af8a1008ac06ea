package studio.captioner;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import studio.core.BadInputException;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.MaskGeometry;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.data.pancap.PanCapDataset;
import studio.core.data.pancap.PanCapSample;
import studio.core.image.RgbImage;

/**
 * The ground-truth captioner: it recognises an image of a PanCap-format dataset by its pixels and
 * returns that image's own annotation (panoptic mask, segments, grounded caption). It is the upper
 * bound every learned captioner is compared with and the fixed point the check's tests rely on.
 * An image that is not in the dataset is bad input.
 */
public final class OracleCaptioner implements Captioner {
    private final String name;
    private final PanCapDataset dataset;
    private final Map<Integer, Category> categories;
    private final Map<String, PanopticAnnotation> byPixels = new HashMap<>();

    private OracleCaptioner(String name, PanCapDataset dataset) {
        this.name = name;
        this.dataset = dataset;
        this.categories = dataset.categories();
    }

    /** Indexes every image of the dataset under {@code root} by a digest of its RGB pixels. */
    public static OracleCaptioner open(Path root) throws IOException {
        OracleCaptioner oracle = new OracleCaptioner("oracle:" + root.getFileName(), PanCapDataset.open(root));
        for (PanopticAnnotation a : oracle.dataset.json().annotations()) {
            oracle.byPixels.put(digest(oracle.dataset.sample(a).loadImage()), a);
        }
        return oracle;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public GroundedResult caption(RgbImage image) {
        PanopticAnnotation a = byPixels.get(digest(image));
        if (a == null) {
            throw new BadInputException(name, "the image is not one of the dataset's images");
        }
        PanCapSample sample = dataset.sample(a);
        IdMask mask = sample.loadMask();
        List<GroundedResult.Segment> segments = new ArrayList<>();
        for (MaskGeometry g : mask.geometry()) {
            var info = a.segment(g.id()).orElseThrow(() -> new BadInputException(a.fileName(), "id " + g.id() + " has no segments_info"));
            Category c = categories.get(info.categoryId());
            segments.add(new GroundedResult.Segment(g.id(), c.id(), c.name(), c.thing(), 1.0, g.area(), g.bbox()));
        }
        String caption = sample.rawCaption().orElse("");
        return new GroundedResult(mask, segments, caption, categories);
    }

    static String digest(RgbImage image) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((image.width() + "x" + image.height()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            md.update(image.rgb());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
