package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.server.CliRun.Run;

/** {@code studio eval geneval} and {@code compare} end to end on the tiny SD3 folder, with detections from a file. */
class EvalGenevalCommandTest {
    private static final Path MODEL = Path.of("../diffusion/src/test/resources/fixtures/pipeline/tiny-sd3");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;


    private Path prompts() throws Exception {
        Path p = dir.resolve("prompts.jsonl");
        Files.writeString(p, """
                {"tag": "single_object", "include": [{"class": "circle", "count": 1}], "prompt": "a photo of a circle"}
                {"tag": "two_object", "include": [{"class": "circle", "count": 1}, {"class": "star", "count": 1}], "prompt": "a photo of a circle and a star"}
                """);
        return p;
    }

    /** Image 0 of prompt 0 holds a circle; prompt 1's images a circle only, or (when {@code star}) a star too. */
    private Path detections(String name, boolean star) throws Exception {
        Path p = dir.resolve(name);
        String circle = "{\"class\": \"circle\", \"score\": 0.8, \"box\": [1, 1, 8, 8]}";
        String both = circle + (star ? ", {\"class\": \"star\", \"score\": 0.7, \"box\": [9, 9, 15, 15]}" : "");
        Files.writeString(p, "{\"image\": \"00000/samples/0000.png\", \"detections\": [" + circle + "]}\n"
                + "{\"image\": \"00000/samples/0001.png\", \"detections\": []}\n"
                + "{\"image\": \"00001/samples/0000.png\", \"detections\": [" + both + "]}\n"
                + "{\"image\": \"00001/samples/0001.png\", \"detections\": [" + both + "]}\n");
        return p;
    }

    private Run geneval(Path out, Path detections, String... more) throws Exception {
        String[] base = {"eval", "geneval", "--model", MODEL.toString(), "--prompts", prompts().toString(),
            "--images-per-prompt", "2", "--steps", "1", "--t5-length", "16", "--seed", "3", "--out", out.toString(),
            "--detector", "detections:" + detections};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return run(args);
    }

    @Test
    void generatesScoresReportsResumesAndCompares() throws Exception {
        Path a = dir.resolve("a");
        Run first = geneval(a, detections("d1.jsonl", false));
        assertEquals(0, first.exit(), first.err());
        JsonNode summary = JSON.readTree(first.out());
        assertEquals("pancap-studio/geneval-summary/1", summary.get("schema").asText());
        assertEquals(0.5, summary.at("/tasks/0/score").asDouble(), 1e-12); // single_object: 1 of 2
        assertEquals(0.0, summary.at("/tasks/1/score").asDouble(), 1e-12); // two_object: no star
        assertEquals(0.25, summary.get("overall").asDouble(), 1e-12);
        assertEquals(4, summary.at("/timing/generated").asInt());
        assertEquals(16, summary.at("/settings/width").asInt());
        for (String f : new String[] {"run.json", "results.jsonl", "summary.json", "report.html", "00001/samples/0001.png"}) {
            assertTrue(Files.isRegularFile(a.resolve(f)), f);
        }
        assertEquals(4, Files.readAllLines(a.resolve("results.jsonl")).size());
        assertTrue(Files.readString(a.resolve("report.html")).contains("two_object: expected star&gt;=1, found 0"));

        // The same folder again, scored with other detections: nothing generated, the scores follow the detections.
        Run second = geneval(a, detections("d2.jsonl", true));
        assertEquals(0, second.exit(), second.err());
        JsonNode again = JSON.readTree(second.out());
        assertEquals(0, again.at("/timing/generated").asInt());
        assertEquals(4, again.at("/timing/reused").asInt());
        assertEquals(1.0, again.at("/tasks/1/score").asDouble(), 1e-12);
        Files.copy(a.resolve("summary.json"), dir.resolve("b-summary.json"));

        Path b = dir.resolve("b");
        Files.createDirectories(b);
        Files.writeString(b.resolve("summary.json"), JSON.writeValueAsString(summary)); // the first scores
        Path page = dir.resolve("cmp.html");
        Run cmp = run("eval", "compare", b.toString(), a.toString(), "--out", page.toString());
        assertEquals(0, cmp.exit(), cmp.err());
        JsonNode c = JSON.readTree(cmp.out());
        assertEquals("two_object", c.at("/tasks/1/tag").asText());
        assertEquals(1.0, c.at("/tasks/1/delta").asDouble(), 1e-12);
        assertEquals(0.0, c.at("/tasks/0/delta").asDouble(), 1e-12);
        assertEquals(0.5, c.at("/overall/delta").asDouble(), 1e-12);
        assertTrue(c.get("settings_differ").toString().contains("detector"), c.toString());
        assertTrue(Files.readString(page).contains("+1.000"));
    }

    @Test
    void badInputsExitTwoNamingTheCulprit() throws Exception {
        Path out = dir.resolve("x");
        Path d = detections("d.jsonl", false);
        Run noPrompts = run("eval", "geneval", "--model", MODEL.toString(), "--prompts", dir.resolve("nope.jsonl").toString(),
                "--out", out.toString());
        assertEquals(2, noPrompts.exit());
        assertTrue(noPrompts.err().contains("--prompts") && noPrompts.err().contains("nope.jsonl"), noPrompts.err());
        Run badLora = geneval(out, d, "--lora", dir.resolve("missing.safetensors") + ":0.7");
        assertEquals(2, badLora.exit());
        assertTrue(badLora.err().contains("--lora") && badLora.err().contains("missing.safetensors"), badLora.err());
        Run badDetector = run("eval", "geneval", "--model", MODEL.toString(), "--prompts", prompts().toString(),
                "--out", out.toString(), "--detector", "yolo");
        assertEquals(2, badDetector.exit());
        assertTrue(badDetector.err().contains("--detector yolo"), badDetector.err());
        Run badTower = geneval(out, d, "--clip-text", "text_encoder_3");
        assertEquals(2, badTower.exit());
        assertTrue(badTower.err().contains("--clip-text"), badTower.err());
        assertTrue(!Files.exists(out.resolve("00000/samples/0000.png")), "nothing generated before the inputs were checked");
        Run noRun = run("eval", "compare", dir.resolve("none").toString(), dir.resolve("none2").toString());
        assertEquals(2, noRun.exit());
        assertTrue(noRun.err().contains("summary.json"), noRun.err());
        Run noWorld = run("eval", "geneval-world", "--world", dir.resolve("noworld").toString(), "--out", out.toString(),
                "--detector", "detections:" + d);
        assertEquals(2, noWorld.exit());
        assertTrue(noWorld.err().contains("--world"), noWorld.err());
    }
}
