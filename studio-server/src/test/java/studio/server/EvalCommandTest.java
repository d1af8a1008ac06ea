package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.eval.fid.FeatureFiles;
import studio.eval.fid.FeatureMatrix;
import studio.eval.geneval.Layout;
import studio.eval.geneval.Prompts;
import studio.server.CliRun.Run;

class EvalCommandTest {
    @TempDir
    Path dir;


    /** Four corners of a 2×2 square, shifted: same covariance, so FD = |shift|². */
    private Path square(String name, float dx, float dy) throws Exception {
        Path file = dir.resolve(name);
        FeatureFiles.write(file, new FeatureMatrix(4, 2, new float[] {dx, dy, 2 + dx, dy, dx, 2 + dy, 2 + dx, 2 + dy}), Map.of());
        return file;
    }

    @Test
    void fdPrintsJsonWithTheDistanceAndItsInputs() throws Exception {
        Run r = run("eval", "fd", "--real-features", square("a.safetensors", 0, 0).toString(),
                "--fake-features", square("b.safetensors", 3, 4).toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(25, json.get("fd").asDouble(), 1e-9);
        assertEquals(4, json.get("n_real").asInt());
        assertEquals(4, json.get("n_fake").asInt());
        assertEquals(2, json.get("dim").asInt());
        assertEquals(false, json.get("eps_retry").asBoolean());
        assertEquals("pytorch-fid", json.get("eps_policy").asText());
        assertEquals(false, json.get("rank_deficient").asBoolean()); // 4 samples > 2 dims
    }

    @Test
    void fdBadInputExitsTwoWithOneLine() throws Exception {
        Path missing = dir.resolve("missing.safetensors");
        Run r = run("eval", "fd", "--real-features", missing.toString(), "--fake-features", square("b.safetensors", 0, 0).toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exit());
        assertEquals("error: " + missing + ": no such feature file" + System.lineSeparator(), r.err());

        Path wide = dir.resolve("wide.safetensors");
        FeatureFiles.write(wide, new FeatureMatrix(2, 3, new float[6]), Map.of());
        Run dims = run("eval", "fd", "--real-features", square("a.safetensors", 0, 0).toString(), "--fake-features", wide.toString());
        assertEquals(Main.EXIT_BAD_INPUT, dims.exit());
        assertTrue(dims.err().startsWith("error: " + wide + ": features have dim 3 but "), dims.err());

        Run policy = run("eval", "fd", "--real-features", wide.toString(), "--fake-features", wide.toString(), "--eps-policy", "sometimes");
        assertEquals(Main.EXIT_BAD_INPUT, policy.exit());
        assertTrue(policy.err().contains("--eps-policy: expected pytorch-fid, never or always"), policy.err());
    }

    private Path folderWithTwoBenchImages() throws Exception {
        Path images = dir.resolve("images");
        Layout.writeMetadata(images, Prompts.official().get(0));
        for (int s = 0; s < 2; s++) {
            ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", Layout.samplePath(images, 0, s).toFile());
        }
        return images;
    }

    @Test
    void genevalScorePrintsTheOfficialSummaryAndWritesResults() throws Exception {
        Path images = folderWithTwoBenchImages();
        Path detections = Files.writeString(dir.resolve("detections.jsonl"), String.join("\n",
                "{\"image\": \"00000/samples/0000.png\", \"detections\": [{\"class\": \"bench\", \"score\": 0.9, \"box\": [0, 0, 4, 4]}]}",
                "{\"image\": \"00000/samples/0001.png\", \"detections\": []}") + "\n");
        Path results = dir.resolve("out/results.jsonl");
        Run r = run("eval", "geneval-score", "--images", images.toString(), "--detections", detections.toString(),
                "--out", results.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("single_object    = 50.00% (1 / 2)"), r.out());
        assertTrue(r.out().endsWith("Overall score (avg. over tasks): 0.50000\n"), r.out());
        List<String> lines = Files.readAllLines(results);
        assertEquals(2, lines.size());
        assertEquals("expected bench>=1, found 0", new ObjectMapper().readTree(lines.get(1)).get("reason").asText());

        Run summary = run("eval", "geneval-summary", results.toString(), "--json");
        assertEquals(0, summary.exit(), summary.err());
        JsonNode json = new ObjectMapper().readTree(summary.out());
        assertEquals(0.5, json.get("overall").asDouble());
        assertEquals(1, json.get("tasks").get("single_object").get("correct").asInt());

        Run strict = run("eval", "geneval-score", "--images", images.toString(), "--detections", detections.toString(),
                "--option", "threshold=0.95");
        assertEquals(0, strict.exit(), strict.err());
        assertTrue(strict.out().contains("Overall score (avg. over tasks): 0.00000"), strict.out());
    }

    @Test
    void genevalScoreBadDetectionsExitTwoNamingTheLine() throws Exception {
        Path images = folderWithTwoBenchImages();
        Path detections = Files.writeString(dir.resolve("detections.jsonl"),
                "{\"image\": \"00000/samples/0000.png\", \"detections\": []}\n{\"image\": 3}\n");
        Run r = run("eval", "geneval-score", "--images", images.toString(), "--detections", detections.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exit());
        assertEquals("error: " + detections + ":2: \"image\" must be the PNG's path relative to the image folder"
                + System.lineSeparator(), r.err());
        Run option = run("eval", "geneval-score", "--images", images.toString(), "--detections", detections.toString(),
                "--option", "thresh=0.5");
        assertEquals(Main.EXIT_BAD_INPUT, option.exit());
    }

    @Test
    void evalIsListedInTheHelp() {
        Run r = run("--help");
        assertTrue(r.out().contains("eval"), r.out());
        Run eval = run("eval");
        assertTrue(eval.out().contains("fd") && eval.out().contains("geneval-score"), eval.out());
    }
}
