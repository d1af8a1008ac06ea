package studio.captioner.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D as coco-caption computes it ({@code pycocoevalcap/cider/cider_scorer.py}): TF-IDF vectors per
 * n-gram order (n = 1..4) with document frequency counted over the <i>references</i> of the whole
 * corpus ({@code compute_doc_freq}) and {@code ref_len = log(#images)}; similarity to each reference is
 * the clipped dot product {@code Σ min(h, r)·r / (|h|·|r|)} times a Gaussian length penalty
 * {@code exp(-δ²/(2σ²))} with {@code σ = 6}; the mean over n, divided by the number of references,
 * times 10; the corpus score is the mean over images.
 * <p>Two reference details kept on purpose: the "length" in the penalty counts <b>bigrams</b>
 * ({@code if n == 1: length += term_freq} with {@code n = len(ngram) - 1}), and an order whose norm is
 * 0 contributes 0 (the later coco-caption guard {@code if norm_hyp[n] != 0 and norm_ref[n] != 0};
 * the oldest version divides by zero there).
 */
public final class CiderD {
    static final double SIGMA = 6.0;

    private CiderD() {}

    private record Vec(List<Map<String, Double>> byOrder, double[] norm, int length) {}

    public static double corpus(Map<String, List<String>> refs, Map<String, String> hyps) {
        List<String> keys = new ArrayList<>(hyps.keySet());
        Map<String, Integer> df = new HashMap<>();
        for (String k : keys) {
            Set<String> seen = new HashSet<>();
            refs.get(k).forEach(r -> seen.addAll(NGrams.count(NGrams.words(r)).keySet()));
            seen.forEach(g -> df.merge(g, 1, Integer::sum));
        }
        double refLen = Math.log(keys.size());
        double total = 0;
        for (String k : keys) {
            Vec h = vec(NGrams.count(NGrams.words(hyps.get(k))), df, refLen);
            double[] score = new double[NGrams.N];
            for (String r : refs.get(k)) {
                double[] s = sim(h, vec(NGrams.count(NGrams.words(r)), df, refLen));
                for (int n = 0; n < NGrams.N; n++) {
                    score[n] += s[n];
                }
            }
            double mean = 0;
            for (double s : score) {
                mean += s / NGrams.N;
            }
            total += mean / refs.get(k).size() * 10.0;
        }
        return keys.isEmpty() ? 0 : total / keys.size();
    }

    /** {@code counts2vec}. */
    private static Vec vec(Map<String, Integer> counts, Map<String, Integer> df, double refLen) {
        List<Map<String, Double>> byOrder = new ArrayList<>();
        for (int n = 0; n < NGrams.N; n++) {
            byOrder.add(new HashMap<>());
        }
        double[] norm = new double[NGrams.N];
        int length = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            double idf = refLen - Math.log(Math.max(1.0, df.getOrDefault(e.getKey(), 0)));
            int n = NGrams.order(e.getKey()) - 1;
            double v = e.getValue() * idf;
            byOrder.get(n).put(e.getKey(), v);
            norm[n] += v * v;
            if (n == 1) {
                length += e.getValue();
            }
        }
        for (int n = 0; n < NGrams.N; n++) {
            norm[n] = Math.sqrt(norm[n]);
        }
        return new Vec(byOrder, norm, length);
    }

    /** {@code sim}: clipped cosine per order times the length penalty. */
    private static double[] sim(Vec h, Vec r) {
        double delta = h.length() - r.length();
        double[] val = new double[NGrams.N];
        for (int n = 0; n < NGrams.N; n++) {
            Map<String, Double> rn = r.byOrder().get(n);
            for (Map.Entry<String, Double> e : h.byOrder().get(n).entrySet()) {
                double rv = rn.getOrDefault(e.getKey(), 0.0);
                val[n] += Math.min(e.getValue(), rv) * rv;
            }
            if (h.norm()[n] != 0 && r.norm()[n] != 0) {
                val[n] /= h.norm()[n] * r.norm()[n];
            }
            val[n] *= Math.exp(-(delta * delta) / (2 * SIGMA * SIGMA));
        }
        return val;
    }
}
