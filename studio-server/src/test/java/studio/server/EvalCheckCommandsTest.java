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
import studio.captioner.OracleCaptioner;
import studio.captioner.PredictionWriter;
import studio.core.data.DataPng;
import studio.core.data.world.WorldGenerator;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.data.panoptic.PanopticJson;
import studio.core.data.panoptic.PanopticJsonReader;
import studio.core.data.panoptic.PanopticJsonWriter;
import java.util.List;
import studio.server.CliRun.Run;

class EvalCheckCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;


    private Path world(int count) {
        Path w = dir.resolve("w");
        assertEquals(0, run("world", "--out", w.toString(), "--count", Integer.toString(count), "--size", "32", "--seed", "2").exit());
        return w;
    }

    @Test
    void oraclePredictionsScorePerfectlyAndADamagedOneDoesNot() throws Exception {
        Path w = world(5);
        Path pred = dir.resolve("pred");
        try (OracleCaptioner oracle = OracleCaptioner.open(w)) {
            PredictionWriter writer = new PredictionWriter(pred);
            for (long id = 1; id <= 5; id++) {
                String name = String.format("%012d.png", id);
                writer.add(id, name, oracle.caption(DataPng.read(w.resolve("images").resolve(name))));
            }
            writer.finish(studio.core.data.pancap.PanCapDataset.open(w).categories());
        }
        JsonNode pq = JSON.readTree(run("eval", "pq", "--gt", w.toString(), "--pred", pred.toString()).out());
        assertEquals(1.0, pq.get("PQ").asDouble(), 1e-12);
        assertEquals(1.0, pq.get("PQ_thing").asDouble(), 1e-12);
        assertEquals(1.0, pq.get("PQ_stuff").asDouble(), 1e-12);
        JsonNode cap = JSON.readTree(run("eval", "caption", "--gt", w.toString(), "--pred", pred.toString()).out());
        assertEquals(1.0, cap.get("Bleu_4").asDouble(), 1e-9);
        assertEquals(1.0, cap.get("ROUGE_L").asDouble(), 1e-12);
        assertEquals(5, cap.get("images").asInt());

        // void out the whole first prediction mask: its segments vanish, PQ drops, ids stay consistent with an emptied JSON
        Path png = pred.resolve("panoptic/000000000001.png");
        IdMask m = IdMask.fromRgb(DataPng.read(png));
        DataPng.write(png, new IdMask(m.width(), m.height(), new int[m.ids().length]).toRgb());
        PanopticJson old = PanopticJsonReader.read(pred.resolve("panoptic.json"), "pred");
        List<PanopticAnnotation> emptied = old.annotations().stream()
                .map(a -> a.imageId() == 1 ? new PanopticAnnotation(1, a.fileName(), List.of(), 0) : a).toList();
        Files.write(pred.resolve("panoptic.json"), PanopticJsonWriter.toBytes(new PanopticJson(old.images(), emptied, old.categories())));
        Run damaged = run("eval", "pq", "--gt", w.toString(), "--pred", pred.toString());
        assertEquals(0, damaged.exit(), damaged.err());
        assertTrue(JSON.readTree(damaged.out()).get("PQ").asDouble() < 0.95, damaged.out());
    }

    @Test
    void missingPredictionIsBadInput() throws Exception {
        Path w = world(2);
        Path pred = dir.resolve("pred");
        new PredictionWriter(pred).finish(studio.core.data.pancap.PanCapDataset.open(w).categories());
        Run r = run("eval", "pq", "--gt", w.toString(), "--pred", pred.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no prediction for image_id 1"), r.err());
    }

    @Test
    void checkReportsAPlantedMismatchAndWritesAnOverlay() throws Exception {
        Path w = world(3);
        Path image = w.resolve("images/000000000001.png");
        Path out = dir.resolve("report.json");
        String caption = Files.readString(w.resolve("captions/000000000001.txt"));
        Run same = run("check", "--model", "oracle:" + w, "--prompt", caption, image.toString());
        assertEquals(0, same.exit(), same.err());
        for (JsonNode e : JSON.readTree(same.out()).get("entities")) {
            assertEquals("present", e.get("status").asText(), same.out());
        }
        PanopticAnnotation first = PanopticJsonReader.read(w.resolve("panoptic.json"), "gt").annotation(1).orElseThrow();
        String absent = WorldGenerator.categories().stream().filter(c -> c.thing())
                .filter(c -> first.segments().stream().noneMatch(s -> s.categoryId() == c.id())).findFirst().orElseThrow().name();
        Run planted = run("check", "--model", "oracle:" + w, "--prompt", "a photo of a green " + absent, image.toString(),
                "--out", out.toString());
        assertEquals(0, planted.exit(), planted.err());
        JsonNode report = JSON.readTree(Files.readString(out));
        assertTrue(Files.size(dir.resolve("report.overlay.png")) > 0);
        assertEquals(1, report.get("entities").size(), report.toString());
        assertEquals("missing", report.get("entities").get(0).get("status").asText(), report.toString());
        Run unknown = run("check", "--model", "nope", "--prompt", "a circle", image.toString());
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("unknown captioner"), unknown.err());
    }
}
