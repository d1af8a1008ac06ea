package studio.diffusion.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;

/**
 * The on-disk cache of VAE latents and text-encoder outputs (kohya's {@code --cache_latents_to_disk} /
 * {@code --cache_text_encoder_outputs_to_disk}, SimpleTuner's caches; ANCHORS.md §1.6). An entry is one
 * safetensors file of named fp32 tensors under {@code <dir>/<kind>/<ab>/<sha256>.safetensors}, keyed by
 * SHA-256 of (kind, encoder id with its settings, content bytes): a changed image, caption, model or
 * setting is a different key, so entries never go stale and are shared across runs. Files are written
 * atomically (SafeTensorsWriter), so a killed run leaves no half entry. Counts hits and misses.
 */
public final class FeatureCache {

    /** Named fp32 tensors (shape + values). */
    public record Entry(Map<String, long[]> shapes, Map<String, float[]> values) {
        public float[] get(String name) {
            return values.get(name);
        }

        public long[] shape(String name) {
            return shapes.get(name);
        }
    }

    private final Path dir;
    private int hits;
    private int misses;

    public FeatureCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public int hits() {
        return hits;
    }

    public int misses() {
        return misses;
    }

    /** The key of (kind, encoder id, content). */
    public static String key(String kind, String encoderId, byte[] content) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((kind + "\0" + encoderId + "\0").getBytes(StandardCharsets.UTF_8));
            d.update(content);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cached entry of {@code key}, or {@code compute}'s result, stored first. */
    public Entry get(String kind, String key, Supplier<Entry> compute) {
        Path file = dir.resolve(kind).resolve(key.substring(0, 2)).resolve(key + ".safetensors");
        if (Files.isRegularFile(file)) {
            try (SafeTensors st = SafeTensors.open(file)) {
                Map<String, long[]> shapes = new LinkedHashMap<>();
                Map<String, float[]> values = new LinkedHashMap<>();
                st.tensors().forEach(t -> {
                    shapes.put(t.name(), t.shape());
                    values.put(t.name(), st.readFloats(t.name()));
                });
                hits++;
                return new Entry(shapes, values);
            } catch (IOException | RuntimeException e) {
                // unreadable (e.g. a disk fault): recompute and overwrite below
            }
        }
        misses++;
        Entry e = compute.get();
        SafeTensorsWriter w = new SafeTensorsWriter();
        e.values().forEach((name, v) -> w.addF32(name, e.shape(name), v));
        try {
            Files.createDirectories(file.getParent());
            w.write(file);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write cache entry " + file, ex);
        }
        return e;
    }
}
