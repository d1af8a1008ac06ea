package studio.captioner.metrics;

import java.util.List;
import java.util.Map;

/**
 * ROUGE-L as coco-caption computes it ({@code pycocoevalcap/rouge/rouge.py}, {@code Rouge.calc_score}):
 * per image, the longest common subsequence with each reference gives precision {@code lcs/|cand|} and
 * recall {@code lcs/|ref|}; the maxima over references combine as
 * {@code (1+β²)·P·R / (R + β²·P)} with {@code β = 1.2} (0 when either is 0); the score is the mean over images.
 * Tokens come from splitting on single spaces ({@code split(" ")}), as the reference does.
 */
public final class RougeL {
    static final double BETA = 1.2;

    private RougeL() {}

    public static double corpus(Map<String, List<String>> refs, Map<String, String> hyps) {
        double sum = 0;
        for (Map.Entry<String, String> e : hyps.entrySet()) {
            sum += score(e.getValue(), refs.get(e.getKey()));
        }
        return hyps.isEmpty() ? 0 : sum / hyps.size();
    }

    public static double score(String candidate, List<String> references) {
        String[] c = candidate.split(" ", -1);
        double precMax = 0;
        double recMax = 0;
        for (String reference : references) {
            String[] r = reference.split(" ", -1);
            int lcs = lcs(r, c);
            precMax = Math.max(precMax, lcs / (double) c.length);
            recMax = Math.max(recMax, lcs / (double) r.length);
        }
        if (precMax == 0 || recMax == 0) {
            return 0;
        }
        double b2 = BETA * BETA;
        return (1 + b2) * precMax * recMax / (recMax + b2 * precMax);
    }

    /** Length of the longest common subsequence ({@code my_lcs}). */
    static int lcs(String[] a, String[] b) {
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int i = 1; i <= a.length; i++) {
            for (int j = 1; j <= b.length; j++) {
                cur[j] = a[i - 1].equals(b[j - 1]) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}
