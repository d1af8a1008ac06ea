package studio.eval.geneval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import studio.captioner.Captioner;
import studio.captioner.GroundedResult;
import studio.core.data.DataPng;
import studio.core.data.panoptic.BBox;
import studio.core.data.panoptic.IdMask;

/**
 * GenEval's detector for the PanCap world: the panoptic segments of a {@link Captioner} (the tiny PanCaper, or
 * {@code oracle:DIR} for a dataset's ground truth) read as instance detections, in place of Mask2Former.
 * <ul>
 *   <li><b>class</b>: the segment's category name. The world's ten thing categories are named by
 *       {@code ShapeClass.noun()}, which is also what the world's prompt file ({@code WorldPrompts}) writes as
 *       the GenEval class, so the mapping is the identity; the six stuff categories (sky, sea, ...) are dropped,
 *       as GenEval's detector knows only COCO's 80 thing classes.</li>
 *   <li><b>score</b>: the segment's class confidence. For the tiny PanCaper that is the softmax probability of
 *       the predicted class of the query that made the segment ({@code PanopticInference}; thing segments are
 *       never merged, so it is one query's). mmdetection's Mask2Former instance head multiplies that by the mean
 *       mask probability inside the mask; we do not. Panoptic inference has already dropped queries below the
 *       model's object threshold (0.4 for pancap-tiny), so GenEval's 0.3 threshold never removes anything here;
 *       the 0.9 counting threshold does. The oracle's segments score 1.</li>
 *   <li><b>box</b>: mmdetection's {@code mask2bbox}, {@code [x_min, y_min, x_max + 1, y_max + 1]}, which is the
 *       COCO box {@code [x, y, x + w, y + h]}.</li>
 *   <li><b>mask</b>: the segment's pixels (for the colour crop).</li>
 * </ul>
 */
public final class WorldDetector implements Detector, AutoCloseable {
    private final Captioner captioner;

    public WorldDetector(Captioner captioner) {
        this.captioner = captioner;
    }

    /** What reports call this detector, e.g. {@code world (pancap-tiny panoptic segments)}. */
    public String description() {
        return "world (" + captioner.name() + " panoptic thing segments; score = class confidence)";
    }

    @Override
    public List<Detection> detect(Path image) {
        return detections(captioner.segment(DataPng.read(image)));
    }

    /** The thing segments of a panoptic result as detections, in segment order. */
    public static List<Detection> detections(GroundedResult result) {
        IdMask ids = result.mask();
        Map<Long, BitSet> pixels = new HashMap<>();
        for (GroundedResult.Segment s : result.segments()) {
            if (s.isThing()) {
                pixels.put(s.id(), new BitSet(ids.ids().length));
            }
        }
        int[] id = ids.ids();
        for (int p = 0; p < id.length; p++) {
            BitSet inside = pixels.get((long) id[p]);
            if (inside != null) {
                inside.set(p);
            }
        }
        List<Detection> out = new ArrayList<>();
        for (GroundedResult.Segment s : result.segments()) {
            if (!s.isThing()) {
                continue;
            }
            BBox b = s.box();
            Box box = new Box(b.x(), b.y(), b.x() + b.width(), b.y() + b.height());
            out.add(new Detection(s.className(), s.score(), box, new Mask(ids.width(), ids.height(), pixels.get(s.id())), null));
        }
        return out;
    }

    @Override
    public void close() {
        captioner.close();
    }
}
