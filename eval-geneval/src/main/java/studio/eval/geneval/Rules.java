package studio.eval.geneval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import studio.core.data.geneval.GenevalClause;
import studio.core.data.geneval.GenevalPromptLine;
import studio.core.data.geneval.GenevalTask;
import studio.core.data.geneval.Relation;

/**
 * The official GenEval scoring rules as pure functions over detections (EVAL.md §1.3), ported from
 * geneval {@code evaluation/evaluate_images.py} at af4902f: {@code evaluate_image} (which detections are
 * kept), {@code evaluate} (include/exclude clauses and the reason strings), {@code relative_position}
 * and {@code compute_iou}. Colours come from a {@link ColorLookup}, so no image or model is needed here.
 */
public final class Rules {
    private Rules() {}

    /**
     * The per-class object lists {@code evaluate} sees (evaluate_image's loop): sort by score, best first;
     * keep scores strictly above the tag's threshold; keep at most {@code maxObjects}; then the optional
     * greedy NMS ({@code max_overlap} < 1). Classes left with nothing are absent. Equal scores: the official
     * {@code np.argsort(scores)[::-1]} sorts stably (numpy's small-array insertion sort) and then reverses,
     * so the later of two equal detections comes first; we do the same for every size.
     */
    public static Map<String, List<Detection>> selectObjects(List<Detection> detections, GenevalTask task,
                                                             RuleOptions options) {
        Map<String, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < detections.size(); i++) {
            byClass.computeIfAbsent(detections.get(i).className(), k -> new ArrayList<>()).add(i);
        }
        double threshold = options.scoreThreshold(task);
        Map<String, List<Detection>> objects = new LinkedHashMap<>();
        byClass.forEach((className, indices) -> {
            List<Detection> ordered = indices.stream()
                    .sorted(Comparator.comparingDouble((Integer i) -> detections.get(i).score())
                            .thenComparingInt(i -> i).reversed())
                    .map(detections::get)
                    .filter(d -> d.score() > threshold)
                    .limit(Math.max(options.maxObjects(), 0))
                    .collect(Collectors.toCollection(ArrayList::new));
            List<Detection> kept = suppress(ordered, options.maxOverlap());
            if (!kept.isEmpty()) {
                objects.put(className, kept);
            }
        });
        return objects;
    }

    /** The greedy per-class suppression of evaluate_image; at {@code maxOverlap == 1} it keeps everything. */
    private static List<Detection> suppress(List<Detection> ordered, double maxOverlap) {
        List<Detection> remaining = new ArrayList<>(ordered);
        List<Detection> kept = new ArrayList<>();
        while (!remaining.isEmpty()) {
            Detection best = remaining.remove(0);
            kept.add(best);
            remaining.removeIf(d -> !(maxOverlap == 1 || iou(best.box(), d.box()) < maxOverlap));
        }
        return kept;
    }

    /** {@code compute_iou}: boxes are inclusive pixel ranges, hence the +1 on width and height. */
    static double iou(Box a, Box b) {
        double intersection = inclusiveArea(Math.max(a.x1(), b.x1()), Math.max(a.y1(), b.y1()),
                Math.min(a.x2(), b.x2()), Math.min(a.y2(), b.y2()));
        double union = inclusiveArea(a.x1(), a.y1(), a.x2(), a.y2()) + inclusiveArea(b.x1(), b.y1(), b.x2(), b.y2())
                - intersection;
        return union != 0 ? intersection / union : 0;
    }

    private static double inclusiveArea(double x1, double y1, double x2, double y2) {
        return Math.max(x2 - x1 + 1, 0) * Math.max(y2 - y1 + 1, 0);
    }

    /**
     * {@code relative_position(obj_a, obj_b)}: where A is relative to B. The centre offset is shrunk on each
     * axis by {@code positionThreshold × (size_a + size_b)} (widths for x, heights for y) and clamped at 0;
     * if both shrunk components are below 1e-3 there is no relation; otherwise they are divided by the
     * length of the original offset, and a component beyond ±0.5 gives the relation. Returned in the
     * official insertion order (left of, right of, above, below).
     */
    public static List<Relation> relativePosition(Box a, Box b, double positionThreshold) {
        double offsetX = a.centerX() - b.centerX();
        double offsetY = a.centerY() - b.centerY();
        double revisedX = shrink(offsetX, positionThreshold * (Math.abs(a.width()) + Math.abs(b.width())));
        double revisedY = shrink(offsetY, positionThreshold * (Math.abs(a.height()) + Math.abs(b.height())));
        List<Relation> relations = new ArrayList<>(2);
        if (Math.abs(revisedX) < 1e-3 && Math.abs(revisedY) < 1e-3) {
            return relations;
        }
        double norm = Math.hypot(offsetX, offsetY);
        double dx = revisedX / norm;
        double dy = revisedY / norm;
        if (dx < -0.5) {
            relations.add(Relation.LEFT_OF);
        }
        if (dx > 0.5) {
            relations.add(Relation.RIGHT_OF);
        }
        if (dy < -0.5) {
            relations.add(Relation.ABOVE);
        }
        if (dy > 0.5) {
            relations.add(Relation.BELOW);
        }
        return relations;
    }

    private static double shrink(double offset, double margin) {
        return Math.max(Math.abs(offset) - margin, 0) * Math.signum(offset);
    }

    /**
     * {@code evaluate(image, objects, metadata)}. Includes are ANDed: the {@code count} best detections of the
     * class must exist; colour and position are checked on exactly those. A position clause needs every one
     * of its objects to stand in the relation to every object of the target group (the official loop fails
     * the clause at the first pair without it, writing one reason). Excludes are ORed: {@code count} or more
     * kept detections of the class make the image wrong.
     */
    public static Verdict evaluate(Map<String, List<Detection>> objects, GenevalPromptLine metadata,
                                   ColorLookup colors, RuleOptions options) {
        List<String> reasons = new ArrayList<>();
        List<List<Detection>> matchedGroups = new ArrayList<>();
        for (GenevalClause clause : metadata.include()) {
            List<Detection> all = objects.getOrDefault(clause.className(), List.of());
            List<Detection> found = all.subList(0, Math.min(clause.count(), all.size()));
            boolean matched = found.size() >= clause.count();
            if (!matched) {
                reasons.add("expected " + clause.className() + ">=" + clause.count() + ", found " + found.size());
            } else {
                if (clause.color() != null) {
                    matched = checkColor(clause, found, colors, reasons);
                }
                if (clause.position() != null && matched) {
                    matched = checkPosition(clause, found, matchedGroups, options, reasons);
                }
            }
            matchedGroups.add(matched ? found : null);
        }
        for (GenevalClause clause : metadata.exclude()) {
            int kept = objects.getOrDefault(clause.className(), List.of()).size();
            if (kept >= clause.count()) {
                reasons.add("expected " + clause.className() + "<" + clause.count() + ", found " + kept);
            }
        }
        return new Verdict(reasons.isEmpty(), String.join("\n", reasons));
    }

    private static boolean checkColor(GenevalClause clause, List<Detection> found, ColorLookup colors, List<String> reasons) {
        List<String> predicted = colors.colorsOf(clause.className(), List.copyOf(found));
        if (predicted.size() != found.size()) {
            throw new IllegalStateException("colour lookup returned " + predicted.size() + " colours for "
                    + found.size() + " objects");
        }
        long wanted = predicted.stream().filter(clause.color()::equals).count();
        if (wanted >= clause.count()) {
            return true;
        }
        String tally = GenevalClause.COLORS.stream().filter(predicted::contains)
                .map(c -> predicted.stream().filter(c::equals).count() + " " + c)
                .collect(Collectors.joining(", "));
        reasons.add("expected " + clause.color() + " " + clause.className() + ">=" + clause.count() + ", found "
                + wanted + " " + clause.color() + "; and " + tally);
        return false;
    }

    private static boolean checkPosition(GenevalClause clause, List<Detection> found, List<List<Detection>> matchedGroups,
                                         RuleOptions options, List<String> reasons) {
        Relation expected = clause.position().relation();
        List<Detection> targets = matchedGroups.get(clause.position().targetGroup());
        if (targets == null) {
            reasons.add("no target for " + clause.className() + " to be " + expected.text());
            return false;
        }
        for (Detection object : found) {
            for (Detection target : targets) {
                List<Relation> actual = relativePosition(object.box(), target.box(), options.positionThreshold());
                if (!actual.contains(expected)) {
                    reasons.add("expected " + clause.className() + " " + expected.text() + " target, found "
                            + actual.stream().map(Relation::text).collect(Collectors.joining(" and ")) + " target");
                    return false;
                }
            }
        }
        return true;
    }
}
