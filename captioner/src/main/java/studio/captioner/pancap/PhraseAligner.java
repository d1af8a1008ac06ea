package studio.captioner.pancap;

import java.util.List;
import java.util.Locale;

/**
 * Phrase → class alignment by text-embedding cosine similarity (EVAL.md §3.3: PanCaper matches a tagged
 * phrase to a category with BERT embeddings). With the world's closed vocabulary a fixed embedding does:
 * each word is the sum of its hashed character trigrams with boundary marks ({@code <ci, cir, ..., le>},
 * fastText's subword hashing, Bojanowski et al. 2017) in 512 dimensions, L2-normalised; a phrase is the
 * sum of its words. The class is the category name with the highest cosine, so "two small red circles"
 * aligns with {@code circle} (all of circle's trigrams) and "the calm sea" with {@code sea}.
 * Deterministic and without training; nothing to store with the model.
 */
public final class PhraseAligner {
    static final int DIM = 512;
    private final List<String> classNames;
    private final float[][] classVectors;

    public PhraseAligner(List<String> classNames) {
        this.classNames = List.copyOf(classNames);
        this.classVectors = new float[classNames.size()][];
        for (int i = 0; i < classNames.size(); i++) {
            classVectors[i] = normalise(embed(classNames.get(i)));
        }
    }

    /** Index of the best-aligned class and its cosine, as {@code {index, cosine}}. */
    public double[] align(String phrase) {
        float[] v = normalise(embed(phrase));
        int best = -1;
        double bestCos = -2;
        for (int i = 0; i < classVectors.length; i++) {
            double c = dot(v, classVectors[i]);
            if (c > bestCos) {
                bestCos = c;
                best = i;
            }
        }
        return new double[] {best, bestCos};
    }

    public List<String> classNames() {
        return classNames;
    }

    static float[] embed(String text) {
        float[] out = new float[DIM];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z0-9-]+")) {
            if (word.isEmpty()) {
                continue;
            }
            float[] w = new float[DIM];
            String marked = "<" + word + ">";
            for (int i = 0; i + 3 <= marked.length(); i++) {
                int h = marked.substring(i, i + 3).hashCode() * 0x9E3779B1;
                w[Math.floorMod(h, DIM)] += (h & 0x40000000) != 0 ? 1 : -1;
            }
            float[] n = normalise(w);
            for (int i = 0; i < DIM; i++) {
                out[i] += n[i];
            }
        }
        return out;
    }

    static float[] normalise(float[] v) {
        double s = Math.sqrt(dot(v, v));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length && s > 0; i++) {
            out[i] = (float) (v[i] / s);
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
