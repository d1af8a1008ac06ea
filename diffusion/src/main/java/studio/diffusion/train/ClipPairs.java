package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import studio.core.BadInputException;
import studio.core.data.TrainingSample;
import studio.core.data.TrainingSamples;
import studio.core.data.world.WorldGenerator;
import studio.core.image.RgbImage;
import studio.diffusion.text.ClipTokenizer;

/**
 * Image–caption pairs of a PanCap world for contrastive training: each image with its long caption (tags stripped)
 * and its short caption; batches of [B, 3, S, S] pixels in [−1, 1] and [B, 77] CLIP ids (BOS, at most 75 tokens, EOS, pad).
 */
final class ClipPairs {
    record Pair(RgbImage image, String longCaption, String shortCaption) {}

    private final List<Pair> pairs;
    private final int side;

    private ClipPairs(List<Pair> pairs, int side) {
        this.pairs = pairs;
        this.side = side;
    }

    static ClipPairs load(ClipTrainConfig.Data d, Consumer<String> log) throws IOException {
        Path dir = Path.of(d.dir());
        if (d.world().count() > 0 && !Files.exists(dir)) {
            log.accept("generating a PanCap world of " + d.world().count() + " images in " + dir);
            WorldGenerator.generate(dir, d.world().seed(), d.world().count(), d.world().size(), 2);
        }
        Map<String, String> shorts = TrainData.shortCaptions(dir);
        List<Pair> out = new ArrayList<>();
        TrainingSamples samples = TrainingSamples.open(dir, v -> log.accept("skipped " + v));
        while (samples.hasNext()) {
            TrainingSample s = samples.next();
            if (s.image().width() != d.resolution() || s.image().height() != d.resolution()) {
                throw new BadInputException("data.resolution", s.id() + " is " + s.image().width() + "×"
                        + s.image().height() + ", the config says " + d.resolution());
            }
            String plain = s.caption().plain();
            out.add(new Pair(s.image(), plain, shorts.getOrDefault(s.id(), plain)));
        }
        if (out.size() < 2) {
            throw new BadInputException("data.dir", "need at least 2 image–caption pairs in " + dir);
        }
        log.accept("data: " + out.size() + " pairs from " + dir);
        return new ClipPairs(out, d.resolution());
    }

    int count() {
        return pairs.size();
    }

    Pair get(int i) {
        return pairs.get(i);
    }

    NDArray pixels(NDManager m, int[] idx) {
        int plane = side * side;
        float[] out = new float[idx.length * 3 * plane];
        for (int b = 0; b < idx.length; b++) {
            byte[] rgb = pairs.get(idx[b]).image().rgb();
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    out[(b * 3 + ch) * plane + p] = (rgb[p * 3 + ch] & 0xFF) / 127.5f - 1f;
                }
            }
        }
        return m.create(out, new Shape(idx.length, 3, side, side));
    }

    /** [B, 77] int64 ids of {@code texts}, the first 75 tokens of each kept. */
    static NDArray ids(NDManager m, ClipTokenizer tok, List<String> texts) {
        long[] flat = new long[texts.size() * ClipTokenizer.LENGTH];
        for (int i = 0; i < texts.size(); i++) {
            int[] all = tok.encode(texts.get(i)).ids();
            int[] kept = java.util.Arrays.copyOf(all, Math.min(all.length, ClipTokenizer.CHUNK_TOKENS));
            System.arraycopy(tok.chunks(kept, 1)[0], 0, flat, i * ClipTokenizer.LENGTH, ClipTokenizer.LENGTH);
        }
        return m.create(flat, new Shape(texts.size(), ClipTokenizer.LENGTH));
    }
}
