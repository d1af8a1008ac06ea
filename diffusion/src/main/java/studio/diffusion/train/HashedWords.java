package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import studio.core.train.Rng;

/**
 * A weight-free text conditioner for tiny models and tests: each lower-cased word is a fixed random
 * vector (N(0, 1/D), seeded by the word's bytes) plus a fixed position vector; context = the first
 * {@code tokens} words, zero-padded; pooled = a second fixed vector per word, averaged. Deterministic,
 * and different words give different conditioning, so a tiny MMDiT can learn a word→layout mapping.
 * It stands in for CLIP/T5 until the tiny text encoders exist. The empty caption gives zeros.
 */
public final class HashedWords implements TextConditioner {
    private final int tokens;
    private final int dim;
    private final int pooledDim;

    public HashedWords(int tokens, int dim, int pooledDim) {
        this.tokens = tokens;
        this.dim = dim;
        this.pooledDim = pooledDim;
    }

    @Override
    public String id() {
        return "hashed-words-v1:t" + tokens + ":d" + dim + ":p" + pooledDim;
    }

    static List<String> words(String caption) {
        List<String> out = new ArrayList<>();
        for (String w : caption.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private static float[] vector(String key, int n) {
        long h = 1125899906842597L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        float[] v = new Rng(h).gaussians(n);
        float s = (float) (1 / Math.sqrt(n));
        for (int i = 0; i < n; i++) {
            v[i] *= s;
        }
        return v;
    }

    @Override
    public Conditioning encode(NDManager manager, String caption) {
        List<String> ws = words(caption);
        float[] context = new float[tokens * dim];
        float[] pooled = new float[pooledDim];
        for (int t = 0; t < Math.min(tokens, ws.size()); t++) {
            float[] v = vector("w:" + ws.get(t), dim);
            float[] p = vector("p:" + t, dim);
            for (int i = 0; i < dim; i++) {
                context[t * dim + i] = v[i] + 0.5f * p[i];
            }
        }
        for (String w : ws) {
            float[] v = vector("pooled:" + w, pooledDim);
            for (int i = 0; i < pooledDim; i++) {
                pooled[i] += v[i] / ws.size();
            }
        }
        return new Conditioning(manager.create(context, new Shape(tokens, dim)), manager.create(pooled));
    }
}
