package studio.captioner.pancap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mask2Former's {@code panoptic_inference} (facebookresearch/Mask2Former, mask_former_model.py) on one
 * image, in Java: keep queries whose best class is not "no object" and whose score exceeds
 * {@code objectThreshold}; give every pixel to the kept query with the highest score·mask probability;
 * drop a query whose won area is less than {@code overlapThreshold} of its own mask (prob ≥ 0.5); merge
 * all queries of one stuff class into one segment. A pixel whose winner has prob &lt; 0.5 stays void (0).
 * Segment ids are then numbered stuff first (top to bottom), then things (largest first), 1..K.
 */
public final class PanopticInference {
    /** One output segment: id (1..K), class index, thing or stuff, score (mean of its queries), query indices. */
    public record Segment(int id, int classIndex, boolean thing, double score, List<Integer> queries, boolean[] mask) {}

    /** ids [H·W] (0 = void), segments in id order. */
    public record Result(int[] ids, List<Segment> segments) {}

    private PanopticInference() {}

    /**
     * @param probs class probabilities [N][C+1] (softmax, last = no object)
     * @param masks mask probabilities [N][H·W] (sigmoid)
     * @param isThing per class index
     */
    public static Result run(float[][] probs, float[][] masks, boolean[] isThing, double objectThreshold, double overlapThreshold) {
        int n = probs.length;
        int c = probs[0].length - 1;
        int hw = masks[0].length;
        List<Integer> kept = new ArrayList<>();
        int[] label = new int[n];
        float[] score = new float[n];
        for (int q = 0; q < n; q++) {
            int best = 0;
            for (int k = 1; k <= c; k++) {
                best = probs[q][k] > probs[q][best] ? k : best;
            }
            label[q] = best;
            score[q] = probs[q][best];
            if (best != c && score[q] > objectThreshold) {
                kept.add(q);
            }
        }
        int[] winner = new int[hw];
        java.util.Arrays.fill(winner, -1);
        for (int p = 0; p < hw; p++) {
            float bestValue = -1;
            for (int q : kept) {
                float v = score[q] * masks[q][p];
                if (v > bestValue) {
                    bestValue = v;
                    winner[p] = q;
                }
            }
        }
        return assemble(kept, label, score, masks, winner, isThing, overlapThreshold);
    }

    private static Result assemble(List<Integer> kept, int[] label, float[] score, float[][] masks, int[] winner,
                                   boolean[] isThing, double overlapThreshold) {
        int hw = winner.length;
        List<Segment> raw = new ArrayList<>();
        Map<Integer, Integer> stuffSegment = new HashMap<>();
        for (int q : kept) {
            boolean[] mask = new boolean[hw];
            int won = 0;
            int own = 0;
            int area = 0;
            for (int p = 0; p < hw; p++) {
                boolean confident = masks[q][p] >= 0.5f;
                own += confident ? 1 : 0;
                won += winner[p] == q ? 1 : 0;
                mask[p] = winner[p] == q && confident;
                area += mask[p] ? 1 : 0;
            }
            if (won == 0 || own == 0 || area == 0 || (double) won / own < overlapThreshold) {
                continue;
            }
            Integer merged = isThing[label[q]] ? null : stuffSegment.get(label[q]);
            if (merged != null) {
                Segment s = raw.get(merged);
                for (int p = 0; p < hw; p++) {
                    s.mask()[p] |= mask[p];
                }
                s.queries().add(q);
                continue;
            }
            if (!isThing[label[q]]) {
                stuffSegment.put(label[q], raw.size());
            }
            raw.add(new Segment(0, label[q], isThing[label[q]], score[q], new ArrayList<>(List.of(q)), mask));
        }
        return number(raw, score, hw);
    }

    /** Stuff by the top of its mask, then things by area (largest first); ids 1..K; the id map. */
    private static Result number(List<Segment> raw, float[] score, int hw) {
        int side = (int) Math.round(Math.sqrt(hw));
        Comparator<Segment> order = Comparator.comparing((Segment s) -> s.thing())
                .thenComparingDouble(s -> s.thing() ? -count(s.mask()) : SegmentPooling.geometry(s.mask(), side)[1]);
        List<Segment> sorted = raw.stream().sorted(order).toList();
        int[] ids = new int[hw];
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            Segment s = sorted.get(i);
            double mean = s.queries().stream().mapToDouble(q -> score[q]).average().orElse(0);
            out.add(new Segment(i + 1, s.classIndex(), s.thing(), mean, List.copyOf(s.queries()), s.mask()));
            for (int p = 0; p < hw; p++) {
                if (s.mask()[p]) {
                    ids[p] = i + 1;
                }
            }
        }
        return new Result(ids, out);
    }

    private static int count(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        return n;
    }
}
