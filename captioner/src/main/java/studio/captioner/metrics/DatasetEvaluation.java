package studio.captioner.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import studio.core.BadInputException;
import studio.core.data.caption.TagParser;
import studio.core.data.pancap.CaptionFolder;
import studio.core.data.pancap.CaptionSource;
import studio.core.data.pancap.PanCapDataset;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.PanopticAnnotation;

/**
 * Metrics over two folders in the dataset layout (ground truth, prediction), as
 * {@code studio eval pq|caption} runs them.
 */
public final class DatasetEvaluation {
    private DatasetEvaluation() {}

    /** PQ / SQ / RQ for all, thing and stuff classes, plus per-class PQ by name. */
    public record PqReport(int images, PanopticQuality.Summary all, PanopticQuality.Summary things, PanopticQuality.Summary stuff,
            Map<String, double[]> perClass) {
        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("images", images);
            m.put("PQ", all.pq());
            m.put("SQ", all.sq());
            m.put("RQ", all.rq());
            m.put("PQ_thing", things.pq());
            m.put("SQ_thing", things.sq());
            m.put("RQ_thing", things.rq());
            m.put("PQ_stuff", stuff.pq());
            m.put("SQ_stuff", stuff.sq());
            m.put("RQ_stuff", stuff.rq());
            m.put("classes", all.n());
            Map<String, Object> pc = new LinkedHashMap<>();
            perClass.forEach((k, v) -> pc.put(k, Map.of("PQ", v[0], "SQ", v[1], "RQ", v[2])));
            m.put("per_class", pc);
            return m;
        }
    }

    /** Like panopticapi's {@code pq_compute}: every ground-truth image needs a prediction (matched by image_id). */
    public static PqReport pq(Path gtRoot, Path predRoot) throws IOException {
        PanCapDataset gt = PanCapDataset.open(gtRoot);
        PanCapDataset pred = PanCapDataset.open(predRoot);
        Map<Integer, Category> categories = gt.categories();
        PanopticQuality pq = new PanopticQuality(categories);
        for (PanopticAnnotation g : gt.json().annotations()) {
            PanopticAnnotation p = pred.json().annotation(g.imageId()).orElseThrow(
                    () -> new BadInputException(predRoot.resolve("panoptic.json").toString(), "no prediction for image_id " + g.imageId()));
            pq.add(new PanopticQuality.ImagePair(g.fileName(), gt.sample(g).loadMask(), g.segments(), pred.sample(p).loadMask(), p.segments()));
        }
        Map<String, double[]> perClass = new TreeMap<>();
        PanopticQuality.Summary all = pq.average(null);
        all.perClass().forEach((id, v) -> perClass.put(categories.get(id).name(), v));
        return new PqReport(pq.images(), all, pq.average(true), pq.average(false), perClass);
    }

    /**
     * BLEU, ROUGE-L, CIDEr-D of the predicted long captions against the ground-truth ones, tags removed.
     * As in coco-caption's {@code COCOEvalCap}, the scored images are the prediction's; each needs a reference.
     */
    public static CaptionMetrics.Scores captions(Path gtRoot, Path predRoot) {
        CaptionSource gt = captionsOf(gtRoot);
        CaptionSource pred = captionsOf(predRoot);
        Map<String, List<String>> refs = new TreeMap<>();
        Map<String, String> hyps = new TreeMap<>();
        for (long id : pred.imageIds()) {
            String key = Long.toString(id);
            String ref = gt.caption(id).orElseThrow(() -> new BadInputException(gt.describe(id), "no reference caption for a predicted one"));
            refs.put(key, List.of(TagParser.parse(ref, gt.describe(id)).plain()));
            hyps.put(key, TagParser.parse(pred.caption(id).orElseThrow(), pred.describe(id)).plain());
        }
        return CaptionMetrics.score(refs, hyps);
    }

    /** {@code DIR/captions/} when it exists, else {@code DIR} itself as a caption folder. */
    private static CaptionSource captionsOf(Path root) {
        if (!Files.isDirectory(root)) {
            throw new BadInputException(root.toString(), "not a directory");
        }
        Path sub = root.resolve("captions");
        return Files.isDirectory(sub) ? new CaptionFolder(sub, "captions") : new CaptionFolder(root, root.getFileName().toString());
    }
}
