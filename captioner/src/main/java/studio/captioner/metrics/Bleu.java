package studio.captioner.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU-1..4 as coco-caption computes it ({@code pycocoevalcap/bleu/bleu_scorer.py},
 * {@code BleuScorer.compute_score(option='closest')}): clipped n-gram matches against the per-n-gram
 * maximum count over the references, summed over the corpus; the effective reference length per
 * sentence is the closest reference length (ties to the shorter); BLEU-n is the geometric mean of the
 * first n precisions with {@code tiny = 1e-15} added to matches and {@code small = 1e-9} to guesses,
 * times the brevity penalty {@code exp(1 - reflen/testlen)} when the corpus is shorter than its references.
 */
public final class Bleu {
    private static final double TINY = 1e-15;
    private static final double SMALL = 1e-9;

    private Bleu() {}

    /** BLEU-1..4 over images; {@code refs} and {@code hyps} hold tokenized captions keyed alike. */
    public static double[] corpus(Map<String, List<String>> refs, Map<String, String> hyps) {
        long testLen = 0;
        long refLen = 0;
        long[] guess = new long[NGrams.N];
        long[] correct = new long[NGrams.N];
        for (Map.Entry<String, String> e : hyps.entrySet()) {
            List<String> test = NGrams.words(e.getValue());
            Map<String, Integer> maxRef = new HashMap<>();
            int closest = -1;
            for (String ref : refs.get(e.getKey())) {
                List<String> r = NGrams.words(ref);
                NGrams.count(r).forEach((g, c) -> maxRef.merge(g, c, Math::max));
                int d = Math.abs(r.size() - test.size());
                int best = Math.abs(closest - test.size());
                if (closest < 0 || d < best || (d == best && r.size() < closest)) {
                    closest = r.size();
                }
            }
            testLen += test.size();
            refLen += closest;
            for (int k = 1; k <= NGrams.N; k++) {
                guess[k - 1] += Math.max(0, test.size() - k + 1);
            }
            NGrams.count(test).forEach((g, c) -> correct[NGrams.order(g) - 1] += Math.min(maxRef.getOrDefault(g, 0), c));
        }
        double[] bleus = new double[NGrams.N];
        double ratio = (testLen + TINY) / (refLen + SMALL);
        for (int n = 1; n <= NGrams.N; n++) {
            double bleu = 1;
            for (int k = 0; k < n; k++) {
                bleu *= (correct[k] + TINY) / (guess[k] + SMALL);
            }
            bleus[n - 1] = Math.pow(bleu, 1.0 / n);
            if (ratio < 1) {
                bleus[n - 1] *= Math.exp(1 - 1 / ratio);
            }
        }
        return bleus;
    }
}
