package studio.captioner.metrics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import studio.core.BadInputException;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.SegmentInfo;

/**
 * Panoptic quality exactly as panopticapi defines it ({@code panopticapi/evaluation.py}:
 * {@code pq_compute_single_core} accumulates per-category {@code tp, fp, fn, iou};
 * {@code PQStat.pq_average} averages per class, EVAL.md §3). Per image:
 * <ul>
 *   <li>a ground-truth and a predicted segment of the same category match when
 *       {@code IoU > 0.5}, where the union leaves out the predicted segment's pixels on void
 *       ({@code union = pred_area + gt_area - inter - |pred ∩ void|}); crowd ground truth never matches;</li>
 *   <li>unmatched non-crowd ground truth is a false negative; crowd ground truth is remembered per
 *       category (the last one in JSON order, as the reference's dict does);</li>
 *   <li>an unmatched prediction is a false positive unless more than half of it lies on void plus the
 *       crowd region of its category.</li>
 * </ul>
 * The ground-truth area is the JSON {@code area} (the reference reads it from {@code segments_info});
 * when the JSON has none it is counted from the PNG. The predicted area is always counted from the PNG,
 * and every id in the predicted PNG must have a JSON entry and vice versa (the reference raises).
 */
public final class PanopticQuality {
    private final Map<Integer, Category> categories;
    private final Map<Integer, Stat> perCategory = new TreeMap<>();
    private int images;

    /** Accumulated counts of one category (panopticapi {@code PQStatCat}). */
    public static final class Stat {
        double iou;
        int tp;
        int fp;
        int fn;

        public double iou() { return iou; }
        public int tp() { return tp; }
        public int fp() { return fp; }
        public int fn() { return fn; }
    }

    /** One image: masks plus their {@code segments_info}. */
    public record ImagePair(String name, IdMask gt, List<SegmentInfo> gtSegments, IdMask pred, List<SegmentInfo> predSegments) {}

    public PanopticQuality(Map<Integer, Category> categories) {
        this.categories = new LinkedHashMap<>(categories);
    }

    public int images() {
        return images;
    }

    public Map<Integer, Stat> perCategory() {
        return perCategory;
    }

    /** Adds one image's tp/fp/fn/iou (pq_compute_single_core's loop body). */
    public void add(ImagePair pair) {
        if (pair.gt().width() != pair.pred().width() || pair.gt().height() != pair.pred().height()) {
            throw new BadInputException(pair.name(), "prediction is " + pair.pred().width() + "x" + pair.pred().height()
                    + " but ground truth is " + pair.gt().width() + "x" + pair.gt().height());
        }
        Map<Long, SegmentInfo> gtSegs = byId(pair.gtSegments(), pair.name() + " (ground truth)");
        Map<Long, SegmentInfo> predSegs = byId(pair.predSegments(), pair.name() + " (prediction)");
        Map<Long, Long> predArea = predictedAreas(pair, predSegs);
        Map<Long, Long> gtAreaPng = new HashMap<>();
        Map<Long, Long> intersections = new HashMap<>();
        int[] g = pair.gt().ids();
        int[] p = pair.pred().ids();
        for (int i = 0; i < g.length; i++) {
            intersections.merge(key(g[i], p[i]), 1L, Long::sum);
            gtAreaPng.merge((long) g[i], 1L, Long::sum);
        }
        Set<Long> gtMatched = new HashSet<>();
        Set<Long> predMatched = new HashSet<>();
        for (Map.Entry<Long, Long> e : intersections.entrySet()) {
            long gtId = e.getKey() >>> 24;
            long predId = e.getKey() & 0xFFFFFF;
            SegmentInfo gs = gtSegs.get(gtId);
            SegmentInfo ps = predSegs.get(predId);
            if (gs == null || ps == null || gs.iscrowd() == 1 || gs.categoryId() != ps.categoryId()) {
                continue;
            }
            long inter = e.getValue();
            long gtArea = gs.area() != null ? gs.area() : gtAreaPng.getOrDefault(gtId, 0L);
            double union = predArea.get(predId) + gtArea - inter - intersections.getOrDefault(key(0, (int) predId), 0L);
            double iou = inter / union;
            if (iou > 0.5) {
                Stat s = stat(gs.categoryId());
                s.tp++;
                s.iou += iou;
                gtMatched.add(gtId);
                predMatched.add(predId);
            }
        }
        Map<Integer, Long> crowdByCategory = new HashMap<>();
        for (SegmentInfo gs : pair.gtSegments()) {
            if (gtMatched.contains(gs.id())) {
                continue;
            }
            if (gs.iscrowd() == 1) {
                crowdByCategory.put(gs.categoryId(), gs.id());
                continue;
            }
            stat(gs.categoryId()).fn++;
        }
        for (SegmentInfo ps : pair.predSegments()) {
            if (predMatched.contains(ps.id())) {
                continue;
            }
            long onIgnored = intersections.getOrDefault(key(0, (int) ps.id()), 0L);
            Long crowd = crowdByCategory.get(ps.categoryId());
            if (crowd != null) {
                onIgnored += intersections.getOrDefault(key(crowd.intValue(), (int) ps.id()), 0L);
            }
            if ((double) onIgnored / predArea.get(ps.id()) > 0.5) {
                continue;
            }
            stat(ps.categoryId()).fp++;
        }
        images++;
    }

    /** PQ, SQ, RQ over all, thing or stuff categories ({@code pq_average}; {@code isthing} null = all). */
    public Summary average(Boolean isthing) {
        double pq = 0;
        double sq = 0;
        double rq = 0;
        int n = 0;
        Map<Integer, double[]> perClass = new TreeMap<>();
        for (Category c : categories.values()) {
            if (isthing != null && isthing != c.thing()) {
                continue;
            }
            Stat s = perCategory.getOrDefault(c.id(), new Stat());
            if (s.tp + s.fp + s.fn == 0) {
                perClass.put(c.id(), new double[] {0, 0, 0});
                continue;
            }
            n++;
            double denominator = s.tp + 0.5 * s.fp + 0.5 * s.fn;
            double pqClass = s.iou / denominator;
            double sqClass = s.tp != 0 ? s.iou / s.tp : 0;
            double rqClass = s.tp / denominator;
            perClass.put(c.id(), new double[] {pqClass, sqClass, rqClass});
            pq += pqClass;
            sq += sqClass;
            rq += rqClass;
        }
        // The reference divides by n unguarded; with no class present it would raise, here it is 0.
        return n == 0 ? new Summary(0, 0, 0, 0, perClass) : new Summary(pq / n, sq / n, rq / n, n, perClass);
    }

    /** PQ, SQ, RQ in [0, 1] (the reference prints them ×100) over {@code n} classes, with per-class [pq, sq, rq]. */
    public record Summary(double pq, double sq, double rq, int n, Map<Integer, double[]> perClass) {}

    /** Like the reference's defaultdict: a ground-truth category outside the list is counted but never averaged. */
    private Stat stat(int categoryId) {
        return perCategory.computeIfAbsent(categoryId, k -> new Stat());
    }

    private static long key(int gtId, int predId) {
        return ((long) gtId << 24) | predId;
    }

    private static Map<Long, SegmentInfo> byId(List<SegmentInfo> segments, String where) {
        Map<Long, SegmentInfo> out = new HashMap<>();
        for (SegmentInfo s : segments) {
            if (out.put(s.id(), s) != null) {
                throw new BadInputException(where, "segment id " + s.id() + " appears twice in segments_info");
            }
        }
        return out;
    }

    /** Pixel counts of the predicted ids, with the reference's sanity checks (PNG ids ⇔ JSON ids, known categories). */
    private Map<Long, Long> predictedAreas(ImagePair pair, Map<Long, SegmentInfo> predSegs) {
        Map<Long, Long> area = new HashMap<>();
        for (int id : pair.pred().ids()) {
            area.merge((long) id, 1L, Long::sum);
        }
        Set<Long> unseen = new HashSet<>(predSegs.keySet());
        for (long id : area.keySet()) {
            if (id == 0) {
                continue;
            }
            SegmentInfo s = predSegs.get(id);
            if (s == null) {
                throw new BadInputException(pair.name(), "segment " + id + " is in the predicted PNG but not in its JSON");
            }
            if (!categories.containsKey(s.categoryId())) {
                throw new BadInputException(pair.name(), "segment " + id + " has unknown category_id " + s.categoryId());
            }
            unseen.remove(id);
        }
        if (!unseen.isEmpty()) {
            throw new BadInputException(pair.name(), "segments " + new java.util.TreeSet<>(unseen) + " are in the predicted JSON but not in its PNG");
        }
        return area;
    }
}
