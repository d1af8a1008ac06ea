package studio.eval.geneval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import studio.core.BadInputException;
import studio.core.data.DataPng;
import studio.core.data.geneval.GenevalClause;
import studio.core.data.geneval.GenevalPrompt;
import studio.core.data.geneval.GenevalPromptFile;
import studio.core.data.geneval.GenevalPromptLine;
import studio.core.data.geneval.GenevalTask;
import studio.core.data.geneval.Relation;
import studio.core.data.panoptic.BBox;
import studio.core.data.world.RenderedScene;
import studio.core.data.world.Scene;
import studio.core.data.world.WorldGenerator;
import studio.core.io.AtomicFiles;

/**
 * GenEval on real world images: each image of a world folder paired with prompts that are true of it, in the
 * official layout, so the detector and colour classifier can be scored against ground truth (an upper bound for
 * generated images, and a sanity check of the whole chain).
 *
 * <p>The world's own {@code geneval/evaluation_metadata.jsonl} is drawn independently of its images (no image
 * was made from a prompt), so the pairing is built here from each image's scene, which {@code world.json}'s seed
 * and size regenerate exactly ({@link WorldGenerator#render}; the regenerated PNG must equal the file, byte for
 * byte). Per image, one prompt per task when the scene allows it, over the visible things (stuff is ignored):
 * <ul>
 *   <li>single_object: the class of the largest thing;</li>
 *   <li>two_object: the two classes with the largest things;</li>
 *   <li>counting: a class with exactly 2–4 visible instances (exclude N + 1, as the official prompts);</li>
 *   <li>colors: the largest thing whose class occurs once (so the top detection is that thing), with its colour;</li>
 *   <li>position: the two largest things of classes that occur once each, with the relation GenEval's own
 *       {@code relative_position} finds between their mask boxes (the first in the official order when two hold);
 *       skipped when none holds;</li>
 *   <li>color_attr: the same two things with their colours.</li>
 * </ul>
 * Prompts are grouped by task in the official order, each in its own folder with the image as {@code 0000.png};
 * {@code truth.jsonl} records which world image each folder holds.
 */
public final class WorldTruth {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A visible thing: class, colour, pixel count and GenEval box. */
    record Thing(String className, String color, long area, Box box) {}

    private record Candidate(GenevalPrompt prompt, Path image) {}

    /** One folder's prompt and the world image it is true of. */
    public record Pair(GenevalPromptLine prompt, String imageFile) {}

    private WorldTruth() {}

    /**
     * Writes the paired folders for the first {@code limit} images of the world in {@code world} into {@code out}
     * (existing identical files are kept) and returns the pairs in folder order.
     */
    public static List<Pair> write(Path world, Path out, int limit, Consumer<String> log) throws IOException {
        JsonNode info = worldJson(world);
        long seed = info.get("seed").asLong();
        int size = info.get("size").asInt();
        int count = Math.min(info.get("count").asInt(), limit);
        List<Candidate> candidates = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            RenderedScene scene = WorldGenerator.render(seed, index, size);
            Path image = world.resolve("images").resolve(WorldGenerator.fileStem(index + 1) + ".png");
            requireSameImage(image, scene);
            prompts(things(scene)).forEach(p -> candidates.add(new Candidate(p, image)));
        }
        candidates.sort(Comparator.comparing(c -> c.prompt().task())); // stable: images in order within a task
        List<Pair> pairs = new ArrayList<>();
        for (Candidate c : candidates) {
            int folder = pairs.size();
            GenevalPromptLine line = GenevalPromptFile.parseLine(GenevalPromptFile.toLine(c.prompt()), folder, "world truth");
            GenevalRunner.ensureMetadata(out, line);
            Path sample = Layout.samplePath(out, folder, 0);
            byte[] bytes = Files.readAllBytes(c.image());
            if (!Files.isRegularFile(sample) || !Arrays.equals(Files.readAllBytes(sample), bytes)) {
                AtomicFiles.write(sample, bytes);
            }
            pairs.add(new Pair(line, world.relativize(c.image()).toString()));
        }
        StringBuilder truth = new StringBuilder();
        for (Pair p : pairs) {
            truth.append(JSON.createObjectNode().put("folder", Layout.promptFolder(out, p.prompt().index()).getFileName().toString())
                    .put("image", p.imageFile()).put("tag", p.prompt().tag()).put("prompt", p.prompt().prompt())).append('\n');
        }
        AtomicFiles.write(out.resolve("truth.jsonl"), truth.toString().getBytes(StandardCharsets.UTF_8));
        log.accept("paired " + count + " world images with " + pairs.size() + " prompts true of them");
        return pairs;
    }

    private static JsonNode worldJson(Path world) throws IOException {
        Path file = world.resolve("world.json");
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("--world " + world, "no world.json: not a folder written by `studio world`");
        }
        JsonNode n = JSON.readTree(file.toFile());
        for (String key : List.of("seed", "size", "count")) {
            if (!n.path(key).canConvertToLong()) {
                throw new BadInputException(file + ": " + key, "missing or not a number");
            }
        }
        if (n.path("version").asInt() != WorldGenerator.VERSION) {
            throw new BadInputException(file + ": version", "is " + n.path("version") + "; this studio regenerates version "
                    + WorldGenerator.VERSION + " worlds only");
        }
        return n;
    }

    private static void requireSameImage(Path image, RenderedScene scene) throws IOException {
        if (!Files.isRegularFile(image)) {
            throw new BadInputException(image.toString(), "missing from the world folder");
        }
        if (!Arrays.equals(Files.readAllBytes(image), DataPng.encode(scene.image()))) {
            throw new BadInputException(image.toString(), "differs from the image its world.json seed and size make: "
                    + "the scene behind it cannot be recovered");
        }
    }

    /** The visible things of a scene, largest first. */
    static List<Thing> things(RenderedScene scene) {
        List<Thing> out = new ArrayList<>();
        for (RenderedScene.Segment s : scene.things()) {
            Scene.Thing t = scene.thingOf(s);
            BBox b = s.geometry().bbox();
            out.add(new Thing(t.shape().noun(), t.colour().word(), s.geometry().area(),
                    new Box(b.x(), b.y(), b.x() + b.width(), b.y() + b.height())));
        }
        out.sort(Comparator.comparingLong(Thing::area).reversed());
        return out;
    }

    /** The true prompts of one image's things (largest first), at most one per task. */
    static List<GenevalPrompt> prompts(List<Thing> things) {
        List<GenevalPrompt> out = new ArrayList<>();
        if (things.isEmpty()) {
            return out;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        things.forEach(t -> counts.merge(t.className(), 1, Integer::sum));
        List<String> classes = new ArrayList<>(counts.keySet()); // by their largest thing
        out.add(new GenevalPrompt(GenevalTask.SINGLE_OBJECT, List.of(GenevalClause.of(classes.get(0), 1)), List.of(),
                "a photo of " + a(classes.get(0))));
        if (classes.size() >= 2) {
            out.add(new GenevalPrompt(GenevalTask.TWO_OBJECT, List.of(GenevalClause.of(classes.get(0), 1),
                    GenevalClause.of(classes.get(1), 1)), List.of(), "a photo of " + a(classes.get(0)) + " and " + a(classes.get(1))));
        }
        counts.entrySet().stream().filter(e -> e.getValue() >= 2 && e.getValue() <= 4).findFirst().ifPresent(e ->
                out.add(new GenevalPrompt(GenevalTask.COUNTING, List.of(GenevalClause.of(e.getKey(), e.getValue())),
                        List.of(GenevalClause.of(e.getKey(), e.getValue() + 1)),
                        "a photo of " + NUMBERS[e.getValue()] + " " + plural(e.getKey()))));
        List<Thing> single = things.stream().filter(t -> counts.get(t.className()) == 1).toList();
        if (!single.isEmpty()) {
            Thing t = single.get(0);
            out.add(new GenevalPrompt(GenevalTask.COLORS, List.of(GenevalClause.of(t.className(), 1).withColor(t.color())),
                    List.of(), "a photo of " + a(t.color() + " " + t.className())));
        }
        if (single.size() >= 2) {
            Thing ref = single.get(1);
            Thing other = single.get(0);
            List<Relation> rel = Rules.relativePosition(other.box(), ref.box(), RuleOptions.OFFICIAL.positionThreshold());
            if (!rel.isEmpty()) {
                out.add(new GenevalPrompt(GenevalTask.POSITION, List.of(GenevalClause.of(ref.className(), 1),
                        GenevalClause.of(other.className(), 1).withPosition(rel.get(0), 0)), List.of(),
                        "a photo of " + a(other.className()) + " " + rel.get(0).text() + " " + a(ref.className())));
            }
            out.add(new GenevalPrompt(GenevalTask.COLOR_ATTR, List.of(GenevalClause.of(other.className(), 1).withColor(other.color()),
                    GenevalClause.of(ref.className(), 1).withColor(ref.color())), List.of(),
                    "a photo of " + a(other.color() + " " + other.className()) + " and " + a(ref.color() + " " + ref.className())));
        }
        return out;
    }

    private static final String[] NUMBERS = {"zero", "one", "two", "three", "four"};

    /** The world's plurals ({@code ShapeClass.plural()}): "crosses", else +s. */
    private static String plural(String noun) {
        return Arrays.stream(studio.core.data.world.ShapeClass.values()).filter(c -> c.noun().equals(noun))
                .map(studio.core.data.world.ShapeClass::plural).findFirst().orElse(noun + "s");
    }

    private static String a(String words) {
        return ("aeiou".indexOf(words.charAt(0)) >= 0 ? "an " : "a ") + words;
    }
}
