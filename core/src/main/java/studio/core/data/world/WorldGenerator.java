package studio.core.data.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import studio.core.BadInputException;
import studio.core.data.DataPng;
import studio.core.data.geneval.GenevalPromptFile;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.ImageInfo;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.data.panoptic.PanopticJson;
import studio.core.data.panoptic.PanopticJsonWriter;
import studio.core.data.panoptic.SegmentInfo;

/**
 * The synthetic PanCap world (WORLD.md): (seed, index, size) → the same bytes on every machine, in
 * the COCONut + COCONut-PanCap layout. Images are independent of each other and of {@code count}.
 */
public final class WorldGenerator {
    public static final String NAME = "pancap-world";
    public static final int VERSION = 1;
    public static final int MIN_SIZE = 32;
    public static final int MAX_SIZE = 512;
    public static final int DEFAULT_SIZE = 64;
    public static final int MAX_COUNT = 10_000_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long CAPTION_STREAM = 2;

    private WorldGenerator() {}

    /** The 16 categories: the ten shape classes (ids 1..10, things) then the six stuff kinds (11..16). */
    public static List<Category> categories() {
        List<Category> out = new ArrayList<>();
        for (ShapeClass c : ShapeClass.values()) {
            out.add(new Category(c.categoryId(), c.noun(), 1, "shape", displayColour(c.categoryId())));
        }
        for (StuffKind k : StuffKind.values()) {
            int[] mid = {(k.low()[0] + k.high()[0]) / 2, (k.low()[1] + k.high()[1]) / 2, (k.low()[2] + k.high()[2]) / 2};
            out.add(new Category(k.categoryId(), k.noun(), 0, k.supercategory(), List.of(mid[0], mid[1], mid[2])));
        }
        return out;
    }

    private static List<Integer> displayColour(int id) {
        WorldRandom r = WorldRandom.of(0, id, 99);
        return List.of(r.between(40, 255), r.between(40, 255), r.between(40, 255));
    }

    public static String fileStem(long imageId) {
        return String.format(Locale.ROOT, "%012d", imageId);
    }

    /** Image {@code index} (0-based) of the world with this seed, drawn at {@code size} pixels. */
    public static WorldSample sample(long seed, long index, int size) {
        checkSize(size);
        Scene scene = SceneSampler.sample(seed, index);
        RenderedScene rs = SceneRenderer.render(scene, size);
        long imageId = index + 1;
        String fileName = fileStem(imageId) + ".png";
        List<SegmentInfo> infos = rs.segments().stream().map(s -> new SegmentInfo(s.id(), rs.categoryId(s), 0,
                s.thing() ? 1 : 0, s.geometry().area(), s.geometry().bbox())).toList();
        String caption = CaptionComposer.grounded(rs, WorldRandom.of(seed, index, CAPTION_STREAM));
        return new WorldSample(imageId, fileName, DataPng.encode(rs.image()), DataPng.encode(rs.mask().toRgb()),
                new PanopticAnnotation(imageId, fileName, infos, 0), caption, ShortCaption.of(rs));
    }

    /**
     * The scene as drawn, for tests and tools that need the truth behind a sample (geometry, each thing's class
     * and colour): image {@code index} of {@code sample(seed, index, size)}.
     */
    public static RenderedScene render(long seed, long index, int size) {
        checkSize(size);
        return SceneRenderer.render(SceneSampler.sample(seed, index), size);
    }

    /**
     * Writes a world of {@code count} images to {@code dir}, which must be absent or empty (the world
     * never deletes files). Runs on up to {@code threads} threads; the bytes do not depend on it.
     */
    public static void generate(Path dir, long seed, int count, int size, int threads) throws IOException {
        checkSize(size);
        if (count < 1 || count > MAX_COUNT) {
            throw new BadInputException("--count", "expected 1 to " + MAX_COUNT + ", got " + count);
        }
        prepare(dir);
        List<WorldSample> samples = samples(seed, count, size, threads, s -> writeSample(dir, s));
        writeIndexFiles(dir, seed, count, size, samples);
    }

    /** What to do with each generated sample; returns what to keep of it. */
    public interface SampleTask {
        WorldSample apply(WorldSample sample) throws IOException;
    }

    /**
     * Generates samples 0..count-1 on {@code threads} threads, hands each to {@code task}, and returns
     * what the task kept, in index order. The bytes never depend on the thread count.
     */
    public static List<WorldSample> samples(long seed, int count, int size, int threads, SampleTask task) throws IOException {
        checkSize(size);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<WorldSample>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long index = i;
                futures.add(pool.submit(() -> task.apply(sample(seed, index, size))));
            }
            List<WorldSample> kept = new ArrayList<>(count);
            for (Future<WorldSample> f : futures) {
                kept.add(f.get());
            }
            return kept;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void prepare(Path dir) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new BadInputException(dir.toString(), "exists and is not a directory");
            }
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new BadInputException(dir.toString(), "directory is not empty; the world writes into an empty or new directory");
                }
            }
        }
        for (String sub : List.of("images", "panoptic", "captions", "geneval")) {
            Files.createDirectories(dir.resolve(sub));
        }
    }

    private static WorldSample writeSample(Path dir, WorldSample s) throws IOException {
        for (Map.Entry<String, byte[]> f : imageFiles(s).entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        return s.withoutPixels();
    }

    private static void writeIndexFiles(Path dir, long seed, int count, int size, List<WorldSample> samples) throws IOException {
        for (Map.Entry<String, byte[]> f : indexFiles(seed, count, size, samples).entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
    }

    /**
     * The files that describe the whole world, by path relative to its root: panoptic.json,
     * short_captions.jsonl, geneval/evaluation_metadata.jsonl and world.json. Only the annotations and
     * short captions of {@code samples} are used.
     */
    public static Map<String, byte[]> indexFiles(long seed, int count, int size, List<WorldSample> samples) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<ImageInfo> images = samples.stream().map(s -> new ImageInfo(s.imageId(), s.fileName(), size, size)).toList();
        List<PanopticAnnotation> annotations = samples.stream().map(WorldSample::annotation).toList();
        files.put("panoptic.json", PanopticJsonWriter.toBytes(new PanopticJson(images, annotations, categories())));
        String shortLines = samples.stream().map(s -> shortCaptionLine(s.imageId(), s.shortCaption())).collect(Collectors.joining());
        files.put("short_captions.jsonl", shortLines.getBytes(StandardCharsets.UTF_8));
        String prompts = WorldPrompts.generate(seed).stream().map(p -> GenevalPromptFile.toLine(p) + "\n").collect(Collectors.joining());
        files.put("geneval/evaluation_metadata.jsonl", prompts.getBytes(StandardCharsets.UTF_8));
        files.put("world.json", worldJson(seed, count, size).getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /** The per-image files of a sample, by path relative to the world's root. */
    public static Map<String, byte[]> imageFiles(WorldSample s) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("images/" + s.fileName(), s.imagePng());
        files.put("panoptic/" + s.fileName(), s.maskPng());
        files.put("captions/" + fileStem(s.imageId()) + ".txt", s.caption().getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /** {@code {"image_id": 1, "caption": "..."}} followed by a newline. */
    public static String shortCaptionLine(long imageId, String caption) {
        return "{\"image_id\": " + imageId + ", \"caption\": " + MAPPER.getNodeFactory().textNode(caption) + "}\n";
    }

    static String worldJson(long seed, int count, int size) {
        ObjectNode n = MAPPER.createObjectNode().put("generator", NAME).put("version", VERSION)
                .put("seed", seed).put("count", count).put("size", size);
        Arrays.stream(ShapeClass.values()).map(ShapeClass::noun).forEach(n.putArray("things")::add);
        Arrays.stream(StuffKind.values()).map(StuffKind::noun).forEach(n.putArray("stuff")::add);
        Arrays.stream(WorldColour.values()).map(WorldColour::word).forEach(n.putArray("colors")::add);
        Arrays.stream(ThingSize.values()).map(ThingSize::word).forEach(n.putArray("sizes")::add);
        Arrays.stream(Lighting.values()).map(Lighting::word).forEach(n.putArray("lighting")::add);
        n.put("tag_convention", "segment id = tag number + 1 (tag numbers are 0-based set-of-marks indices)");
        return n + "\n";
    }

    private static void checkSize(int size) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new BadInputException("--size", "expected " + MIN_SIZE + " to " + MAX_SIZE + " pixels, got " + size);
        }
    }
}
