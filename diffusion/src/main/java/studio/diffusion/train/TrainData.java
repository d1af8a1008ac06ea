package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import studio.core.data.TrainingSample;
import studio.core.data.TrainingSamples;
import studio.core.image.ImageResizer;
import studio.core.image.ResizeFilter;
import studio.core.image.RgbImage;

/**
 * The training set, prepared once before the loop: every sample decoded (bad ones skipped and counted
 * by {@link TrainingSamples}), put in its aspect bucket, resized, encoded to a latent, and every caption
 * it can be trained with (long, short, and the empty prompt) encoded to conditioning — all through the
 * {@link FeatureCache}, so a second run over the same data and encoders computes nothing. The loop then
 * never touches an encoder (kohya's cached text-encoder outputs).
 */
public final class TrainData {

    /** One usable sample: its bucket, latent [C, h, w] and captions (long: grounded, tags stripped). */
    public record Item(String id, int bucket, long[] latentShape, float[] latent, String longCaption, String shortCaption) {}

    private final List<Item> items;
    private final Map<String, FeatureCache.Entry> text;
    private final int skipped;
    private final int listed;
    private final int noShort;

    private TrainData(List<Item> items, Map<String, FeatureCache.Entry> text, int skipped, int listed, int noShort) {
        this.items = List.copyOf(items);
        this.text = text;
        this.skipped = skipped;
        this.listed = listed;
        this.noShort = noShort;
    }

    public List<Item> items() {
        return items;
    }

    /** Samples skipped as bad (each logged once). */
    public int skipped() {
        return skipped;
    }

    /** Samples the dataset listed, good and bad. */
    public int listed() {
        return listed;
    }

    /** Items without a short caption (trained with the long one when "short" is drawn). */
    public int withoutShortCaption() {
        return noShort;
    }

    /** The cached conditioning of a caption prepared here ("" included). */
    public FeatureCache.Entry conditioning(String caption) {
        FeatureCache.Entry e = text.get(caption);
        if (e == null) {
            throw new IllegalStateException("caption was not prepared: '" + caption + "'");
        }
        return e;
    }

    /** Reads, buckets, encodes and caches {@code dir}; {@code warn} receives one line per skipped sample. */
    public static TrainData prepare(Path dir, Buckets buckets, LatentEncoder latents, TextConditioner textEncoder,
                                    FeatureCache cache, List<String> extraPrompts, Consumer<String> warn) throws IOException {
        Map<String, String> shorts = shortCaptions(dir);
        TrainingSamples samples = TrainingSamples.open(dir, v -> warn.accept("skipped " + v));
        List<Item> items = new ArrayList<>();
        Map<String, FeatureCache.Entry> text = new HashMap<>();
        int noShort = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            while (samples.hasNext()) {
                TrainingSample s = samples.next();
                Buckets.Size size = buckets.bucketFor(s.image().width(), s.image().height());
                FeatureCache.Entry z = latent(s.image(), size, latents, cache, m);
                String shortCaption = shorts.get(s.id());
                noShort += shortCaption == null ? 1 : 0;
                items.add(new Item(s.id(), buckets.sizes().indexOf(size), z.shape("latent"), z.get("latent"),
                        s.caption().plain(), shortCaption));
            }
            List<String> captions = new ArrayList<>(extraPrompts);
            captions.add("");
            for (Item it : items) {
                captions.add(it.longCaption());
                if (it.shortCaption() != null) {
                    captions.add(it.shortCaption());
                }
            }
            for (String c : captions) {
                text.computeIfAbsent(c, k -> conditioning(k, textEncoder, cache, m));
            }
        }
        return new TrainData(items, text, samples.skipped(), samples.listed(), noShort);
    }

    private static FeatureCache.Entry latent(RgbImage image, Buckets.Size size, LatentEncoder enc, FeatureCache cache,
                                             NDManager m) {
        ByteBuffer content = ByteBuffer.allocate(16 + image.rgb().length);
        content.putInt(image.width()).putInt(image.height()).putInt(size.width()).putInt(size.height()).put(image.rgb());
        String key = FeatureCache.key("latent", enc.id() + ":lanczos-center-crop", content.array());
        return cache.get("latents", key, () -> {
            RgbImage resized = image.width() == size.width() && image.height() == size.height() ? image
                    : ImageResizer.centerCropResize(image, size.width(), size.height(), ResizeFilter.LANCZOS);
            try (NDManager tmp = m.newSubManager()) {
                NDArray z = enc.encode(tmp, resized);
                return entry("latent", z);
            }
        });
    }

    private static FeatureCache.Entry conditioning(String caption, TextConditioner enc, FeatureCache cache, NDManager m) {
        String key = FeatureCache.key("text", enc.id(), caption.getBytes(StandardCharsets.UTF_8));
        return cache.get("text", key, () -> {
            try (NDManager tmp = m.newSubManager()) {
                TextConditioner.Conditioning c = enc.encode(tmp, caption);
                FeatureCache.Entry a = entry("context", c.context());
                FeatureCache.Entry b = entry("pooled", c.pooled());
                a.shapes().putAll(b.shapes());
                a.values().putAll(b.values());
                return a;
            }
        });
    }

    private static FeatureCache.Entry entry(String name, NDArray x) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        shapes.put(name, x.getShape().getShape());
        values.put(name, x.toFloatArray());
        return new FeatureCache.Entry(shapes, values);
    }

    /** short_captions.jsonl of a PanCap world ({"image_id": 1, "caption": "..."} per line), by id; empty when absent. */
    static Map<String, String> shortCaptions(Path dir) throws IOException {
        Path file = dir.resolve("short_captions.jsonl");
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                JsonNode n = json.readTree(line);
                out.put(n.get("image_id").asText(), n.get("caption").asText());
            }
        }
        return out;
    }
}
