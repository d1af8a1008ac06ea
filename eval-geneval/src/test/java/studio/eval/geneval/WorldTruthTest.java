package studio.eval.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.captioner.Captioners;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalClause;
import studio.core.data.geneval.GenevalTask;
import studio.core.data.geneval.Relation;
import studio.core.data.world.WorldGenerator;

/**
 * Real world images paired with prompts true of them: with the ground-truth detector (the oracle captioner) and
 * every colour answered from the scene, every image must be correct, which checks the pairing, the world
 * detector's adapter and the rules together.
 */
class WorldTruthTest {
    @TempDir
    Path dir;

    @Test
    void promptsFollowTheSceneOnePerTaskWhereItAllows() {
        Box left = new Box(0, 20, 10, 30);
        Box right = new Box(40, 20, 50, 30);
        List<WorldTruth.Thing> things = List.of(new WorldTruth.Thing("circle", "red", 100, left),
                new WorldTruth.Thing("star", "blue", 80, right), new WorldTruth.Thing("cross", "green", 20, new Box(20, 0, 24, 4)),
                new WorldTruth.Thing("cross", "green", 10, new Box(30, 0, 33, 3)));
        Map<GenevalTask, String> prompts = WorldTruth.prompts(things).stream()
                .collect(Collectors.toMap(p -> p.task(), p -> p.prompt()));
        assertEquals("a photo of a circle", prompts.get(GenevalTask.SINGLE_OBJECT));
        assertEquals("a photo of a circle and a star", prompts.get(GenevalTask.TWO_OBJECT));
        assertEquals("a photo of two crosses", prompts.get(GenevalTask.COUNTING));
        assertEquals("a photo of a red circle", prompts.get(GenevalTask.COLORS));
        assertEquals("a photo of a circle left of a star", prompts.get(GenevalTask.POSITION));
        assertEquals("a photo of a red circle and a blue star", prompts.get(GenevalTask.COLOR_ATTR));
        var position = WorldTruth.prompts(things).stream().filter(p -> p.task() == GenevalTask.POSITION).findFirst().orElseThrow();
        assertEquals("star", position.include().get(0).className(), "include 0 is the reference");
        assertEquals(new GenevalClause.Position(Relation.LEFT_OF, 0), position.include().get(1).position());
        var counting = WorldTruth.prompts(things).stream().filter(p -> p.task() == GenevalTask.COUNTING).findFirst().orElseThrow();
        assertEquals(List.of(GenevalClause.of("cross", 3)), counting.exclude());
    }

    @Test
    void realWorldImagesWithTheirTruthScorePerfectlyWithTheOracle() throws Exception {
        Path world = dir.resolve("world");
        WorldGenerator.generate(world, 5, 12, 64, 1);
        Path out = dir.resolve("truth");
        List<WorldTruth.Pair> pairs = WorldTruth.write(world, out, 12, s -> {});
        assertTrue(pairs.size() >= 12 * 3, "several tasks per image: " + pairs.size());
        assertEquals(pairs.size(), Layout.scan(out).size());
        assertTrue(Files.readString(out.resolve("truth.jsonl")).contains("\"image\":\"images/000000000001.png\""));
        List<String> tags = pairs.stream().map(p -> p.prompt().tag()).distinct().toList();
        assertEquals(GenevalTask.SINGLE_OBJECT.tag(), tags.get(0), "grouped by task in the official order");
        // Each detection carries its thing's true colour (matched by box in the regenerated scene), so colour
        // clauses are decided by the truth too and every image must pass.
        Map<String, List<WorldTruth.Thing>> scenes = new java.util.HashMap<>();
        for (WorldTruth.Pair p : pairs) {
            int index = Integer.parseInt(p.imageFile().replaceAll("\\D", "")) - 1;
            scenes.put(Layout.promptFolder(out, p.prompt().index()).resolve("samples/0000.png").toString(),
                    WorldTruth.things(WorldGenerator.render(5, index, 64)));
        }
        try (WorldDetector oracle = new WorldDetector(Captioners.open("oracle:" + world))) {
            DetectionSource truth = (image, key) -> oracle.detect(image).stream().map(d -> d.withColor(scenes.get(image.toString())
                    .stream().filter(t -> t.box().equals(d.box())).findFirst().orElseThrow().color())).toList();
            GenevalScorer scorer = new GenevalScorer(truth, null, RuleOptions.OFFICIAL);
            List<ImageResult> results = scorer.score(GenevalRunner.images(out, pairs.stream().map(WorldTruth.Pair::prompt).toList(), 1),
                    (d, t) -> {});
            assertEquals(pairs.size(), results.size());
            for (ImageResult r : results) {
                assertTrue(r.correct(), r.filename() + " " + r.prompt() + ": " + r.reason());
            }
            assertEquals(6, Summary.of(results).tasks().size(), "all six tasks occur in 12 images");
        }
        assertEquals(pairs, WorldTruth.write(world, out, 12, s -> {}), "rewriting is idempotent");
    }

    @Test
    void aWorldImageThatDiffersFromItsSeedIsRefused() throws Exception {
        Path world = dir.resolve("world");
        WorldGenerator.generate(world, 5, 2, 64, 1);
        Files.copy(world.resolve("images/000000000002.png"), world.resolve("images/000000000001.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BadInputException e = assertThrows(BadInputException.class, () -> WorldTruth.write(world, dir.resolve("t"), 2, s -> {}));
        assertTrue(e.getMessage().contains("000000000001.png"), e.getMessage());
        assertThrows(BadInputException.class, () -> WorldTruth.write(dir.resolve("nothing"), dir.resolve("t"), 2, s -> {}));
    }
}
