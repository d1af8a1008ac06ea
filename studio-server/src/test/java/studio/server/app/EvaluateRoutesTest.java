package studio.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.app.TestStudio.FINISHED;
import static studio.server.app.TestStudio.await;
import static studio.server.app.TestStudio.json;
import static studio.server.app.TestStudio.post;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.DataPng;
import studio.core.device.Precision;
import studio.diffusion.pipeline.ModelFolder;
import studio.server.EvalFeaturesCommandsTest;
import studio.diffusion.pipeline.TextToImage;
import studio.server.work.GenerateParams;
import studio.server.work.ImageGenerator;
import studio.server.work.PipelineGenerator;

/**
 * The evaluate job and routes end to end on the tiny SD3 fixture: GenEval runs of 2 prompts × 2 images at 1 step,
 * scored from detections files under the dataset root (as {@code EvalGenevalCommandTest}), so two runs with other
 * detections give known deltas; bad fields, path escapes, cancel, the report and samples, progress over SSE.
 */
public class EvaluateRoutesTest {
    @TempDir
    Path dir;

    /** Generate jobs by the fake (held at will), evaluations by the real pipeline. */
    static final class Mixed implements ImageGenerator {
        final FakeGenerator fake = new FakeGenerator();
        final PipelineGenerator real = new PipelineGenerator(ai.djl.Device.cpu(), Precision.F32,
                PipelineGenerator.textEncoders(Precision.F32), Map.of("studio", "test"));

        @Override
        public List<Image> generate(GenerateParams params, StepListener listener) throws Exception {
            return fake.generate(params, listener);
        }

        @Override
        public TextToImage open(ModelFolder folder) throws java.io.IOException {
            return real.open(folder);
        }
    }

    public static void fixtures(Path datasets) throws Exception {
        Files.writeString(datasets.resolve("prompts.jsonl"), """
                {"tag": "single_object", "include": [{"class": "circle", "count": 1}], "prompt": "a photo of a circle"}
                {"tag": "two_object", "include": [{"class": "circle", "count": 1}, {"class": "star", "count": 1}], "prompt": "a photo of a circle and a star"}
                {"tag": "single_object", "include": [{"class": "star", "count": 1}], "prompt": "a photo of a star"}
                """);
        detections(datasets.resolve("d1.jsonl"), false);
        detections(datasets.resolve("d2.jsonl"), true);
    }

    /** Image 0 of prompt 0 holds a circle; prompt 1's images a circle only, or (when {@code star}) a star too. */
    private static void detections(Path p, boolean star) throws Exception {
        String circle = "{\"class\": \"circle\", \"score\": 0.8, \"box\": [1, 1, 8, 8]}";
        String both = circle + (star ? ", {\"class\": \"star\", \"score\": 0.7, \"box\": [9, 9, 15, 15]}" : "");
        Files.writeString(p, "{\"image\": \"00000/samples/0000.png\", \"detections\": [" + circle + "]}\n"
                + "{\"image\": \"00000/samples/0001.png\", \"detections\": []}\n"
                + "{\"image\": \"00001/samples/0000.png\", \"detections\": [" + both + "]}\n"
                + "{\"image\": \"00001/samples/0001.png\", \"detections\": [" + both + "]}\n");
    }

    static Map<String, Object> request(String detections) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "geneval");
        m.put("prompts", "prompts.jsonl");
        m.put("limit", 2);
        m.put("images_per_prompt", 2);
        m.put("steps", 1);
        m.put("t5_length", 16);
        m.put("seed", 3);
        m.put("detector", "detections:" + detections);
        return m;
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.put(key, value);
        return m;
    }

    private static void assertBad(Response r, String field) throws Exception {
        String body = r.body().string();
        assertTrue(r.code() == 400 || r.code() == 403 || r.code() == 404, r.code() + " " + body);
        if (field != null) {
            assertEquals(field, TestStudio.JSON.readTree(body).path("field").asText(), body);
        }
    }

    @Test
    void badFieldsAndPathEscapesAreRefusedNamingTheField() throws Exception {
        try (Studio studio = TestStudio.open(dir, new Mixed())) {
            fixtures(studio.deps().roots().datasets());
            JavalinTest.test(studio.app(), (server, client) -> {
                Map<String, Object> ok = request("d1.jsonl");
                assertBad(post(client, "/api/evaluate", with(ok, "kind", null)), "kind");
                assertBad(post(client, "/api/evaluate", with(ok, "kind", "clip-iqa")), "kind");
                assertBad(post(client, "/api/evaluate", with(ok, "prompts", "../prompts.jsonl")), "prompts");
                assertBad(post(client, "/api/evaluate", with(ok, "prompts", "/etc/passwd")), "prompts");
                assertBad(post(client, "/api/evaluate", with(ok, "prompts", "nope.jsonl")), "prompts");
                assertBad(post(client, "/api/evaluate", with(ok, "prompts", "world/images")), "prompts"); // a folder, no prompts
                assertBad(post(client, "/api/evaluate", with(ok, "model", "../models/tiny")), "model");
                assertBad(post(client, "/api/evaluate", with(ok, "images_per_prompt", 0)), "images_per_prompt");
                assertBad(post(client, "/api/evaluate", with(ok, "steps", "many")), "steps");
                assertBad(post(client, "/api/evaluate", with(ok, "size", 20)), "size");
                assertBad(post(client, "/api/evaluate", with(ok, "detector", "yolo")), "detector");
                assertBad(post(client, "/api/evaluate", with(ok, "detector", "detections:../../x.jsonl")), "detector");
                assertBad(post(client, "/api/evaluate", with(ok, "lora", List.of(Map.of("path", "../x.safetensors")))), "lora[0].path");
                assertBad(post(client, "/api/evaluate", with(ok, "lora", List.of(Map.of("path", "style.safetensors", "scale", 9)))), "lora[0].scale");
                assertBad(post(client, "/api/evaluate", with(ok, "real", "world")), "real");
                assertBad(post(client, "/api/evaluate", with(ok, "colour", "red")), "colour");
                Map<String, Object> fid = with(with(ok, "kind", "fid"), "detector", null);
                assertBad(post(client, "/api/evaluate", fid), "real");
                assertBad(post(client, "/api/evaluate", with(fid, "real", "../../")), "real");
                assertBad(post(client, "/api/evaluate", with(with(fid, "real", "world/images"), "features", "vgg")), "features");
                assertBad(post(client, "/api/evaluate", with(with(fid, "real", "world/images"), "features", "inception")), "weights");
                assertEquals(0, json(client.get("/api/evaluations")).path("evaluations").size());
                // A world dataset's own prompt file (studio world writes geneval/evaluation_metadata.jsonl).
                JsonNode world = json(post(client, "/api/evaluate", with(ok, "prompts", "world")));
                assertEquals("world", world.at("/params/prompts").asText(), world.toString());
                String id = world.path("evaluationId").asText();
                post(client, "/api/evaluations/" + id + "/cancel", "");
                assertEquals("cancelled", await(client, id, FINISHED).path("state").asText());
                assertBad(client.get("/api/evaluations/nope"), null);
                assertBad(client.get("/api/evaluations/compare?a=x"), "b");
            });
        }
    }

    @Test
    void twoRunsCompareWithDeltasAndServeTheirFiles() throws Exception {
        Mixed gen = new Mixed();
        try (Studio studio = TestStudio.open(dir, gen)) {
            fixtures(studio.deps().roots().datasets());
            JavalinTest.test(studio.app(), (server, client) -> {
                // A held generate job keeps the worker busy until the evaluation's stream is connected.
                gen.fake.hold();
                String blocker = json(post(client, "/api/generate", Map.of("prompt", "a star", "steps", 2))).path("id").asText();
                assertTrue(gen.fake.awaitRunning(10_000));
                Response launched = post(client, "/api/evaluate", request("d1.jsonl"));
                assertEquals(202, launched.code());
                JsonNode a = json(launched);
                String idA = a.path("evaluationId").asText();
                assertEquals(idA, a.path("id").asText());
                assertEquals("evaluate", a.path("kind").asText());
                CompletableFuture<List<EventsTest.Sse>> stream = CompletableFuture.supplyAsync(() -> {
                    try {
                        return EventsTest.read(client.getOrigin() + "/api/jobs/" + idA + "/events", "none", 1);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(300);
                gen.fake.release();
                await(client, blocker, FINISHED);
                JsonNode jobA = await(client, idA, FINISHED);
                assertEquals("done", jobA.path("state").asText(), jobA.toString());
                List<EventsTest.Sse> events = stream.get(60, TimeUnit.SECONDS);
                List<JsonNode> progress = events.stream().filter(e -> e.event().equals("progress")).map(EventsTest.Sse::data).toList();
                assertTrue(progress.size() >= 4, events.toString());
                assertEquals(4, progress.get(3).path("imagesTotal").asInt(), progress.get(3).toString());
                assertTrue(progress.stream().anyMatch(p -> p.path("step").asInt() == 2 && p.path("steps").asInt() == 4
                        && p.path("etaSeconds").isNumber() && p.path("task").asText().equals("two_object")
                        || p.path("step").asInt() == 2 && p.path("etaSeconds").isNumber()), progress.toString());

                Path folder = studio.deps().roots().evals().resolve(idA);
                for (String f : new String[] {"results.jsonl", "summary.json", "report.html", "00001/samples/0001.png"}) {
                    assertTrue(Files.isRegularFile(folder.resolve(f)), f);
                }
                JsonNode one = json(client.get("/api/evaluations/" + idA));
                assertEquals("done", one.path("state").asText());
                assertEquals(0.25, one.path("score").asDouble(), 1e-12);
                assertEquals("single_object", one.at("/summary/tasks/0/tag").asText());
                assertEquals(0.5, one.at("/summary/tasks/0/score").asDouble(), 1e-12);
                assertEquals(2, one.at("/failures/two_object").size(), one.toString());
                String thumb = one.at("/failures/single_object/0/url").asText();
                assertEquals("/api/evaluations/" + idA + "/images/00000/0001.png", thumb);
                Response png = client.get(thumb);
                assertEquals(200, png.code());
                assertEquals("image/png", png.headers().get("Content-Type").get(0).split(";")[0]);
                Response report = client.get(one.path("reportUrl").asText());
                assertEquals(200, report.code());
                assertTrue(report.body().string().contains("two_object"));
                assertBad(client.get("/api/evaluations/" + idA + "/images/00000/..%2F..%2Fsummary.json"), null);
                assertBad(client.get("/api/evaluations/" + idA + "/images/..%2F..%2F/0000.png"), null);

                String idB = json(post(client, "/api/evaluate", with(request("d2.jsonl"), "name", "with stars"))).path("evaluationId").asText();
                assertEquals("done", await(client, idB, FINISHED).path("state").asText());
                JsonNode cmp = json(client.get("/api/evaluations/compare?a=" + idA + "&b=" + idB));
                JsonNode c = cmp.path("comparison");
                assertEquals("pancap-studio/geneval-compare/1", c.path("schema").asText());
                assertEquals("two_object", c.at("/tasks/1/tag").asText());
                assertEquals(1.0, c.at("/tasks/1/delta").asDouble(), 1e-12);
                assertEquals(0.0, c.at("/tasks/0/delta").asDouble(), 1e-12);
                assertEquals(0.5, c.at("/overall/delta").asDouble(), 1e-12);
                assertEquals(0.25, c.at("/overall/a").asDouble(), 1e-12);
                assertEquals("with stars", cmp.at("/b/name").asText());
                assertTrue(c.path("settings_differ").toString().contains("detector"), c.toString());

                // Cancel: queued behind a held generate job, so it is cancelled before it starts.
                gen.fake.hold();
                String blocker2 = json(post(client, "/api/generate", Map.of("prompt", "a star", "steps", 2))).path("id").asText();
                String idC = json(post(client, "/api/evaluate", request("d1.jsonl"))).path("evaluationId").asText();
                JsonNode cancelled = json(post(client, "/api/evaluations/" + idC + "/cancel", ""));
                assertEquals("cancelled", cancelled.path("outcome").asText(), cancelled.toString());
                gen.fake.release();
                await(client, blocker2, FINISHED);
                assertEquals("cancelled", await(client, idC, FINISHED).path("state").asText());
                assertBad(client.get("/api/evaluations/compare?a=" + idA + "&b=" + idC), "b");

                JsonNode list = json(client.get("/api/evaluations"));
                assertEquals(3, list.path("evaluations").size());
                assertEquals(idC, list.at("/evaluations/0/id").asText());
                assertEquals(0.75, list.at("/evaluations/1/score").asDouble(), 1e-12);
                JsonNode openapi = json(client.get("/api/openapi.json"));
                assertTrue(openapi.at("/paths").has("/api/evaluations/compare"), "OpenAPI lists the routes");
                assertTrue(openapi.at("/paths").has("/api/evaluate"));
            });
        }
    }

    @Test
    void aRunningEvaluationStopsAtAnImageBoundaryOnCancel() throws Exception {
        try (Studio studio = TestStudio.open(dir, new Mixed())) {
            fixtures(studio.deps().roots().datasets());
            JavalinTest.test(studio.app(), (server, client) -> {
                String id = json(post(client, "/api/evaluate", with(with(request("d1.jsonl"), "images_per_prompt", 64),
                        "limit", 3))).path("evaluationId").asText();
                long end = System.currentTimeMillis() + 30_000;
                while (json(client.get("/api/jobs/" + id)).path("step").asInt() < 1 && System.currentTimeMillis() < end) {
                    Thread.sleep(20);
                }
                // A short generate job runs at the next image boundary, while the evaluation goes on.
                String gen = json(post(client, "/api/generate", Map.of("prompt", "a star", "steps", 2))).path("id").asText();
                assertEquals("done", await(client, gen, FINISHED).path("state").asText());
                assertEquals("running", json(client.get("/api/jobs/" + id)).path("state").asText());
                JsonNode logs = json(client.get("/api/jobs/" + id + "/logs"));
                assertTrue(logs.toString().contains("paused at step"), logs.toString());
                JsonNode outcome = json(post(client, "/api/evaluations/" + id + "/cancel", ""));
                assertEquals("cancelling", outcome.path("outcome").asText(), outcome.toString());
                JsonNode job = await(client, id, FINISHED);
                assertEquals("cancelled", job.path("state").asText());
                assertTrue(job.path("step").asInt() < 192, job.toString());
                assertEquals("cancelled", json(client.get("/api/evaluations/" + id)).path("state").asText());
            });
        }
    }

    /** FID against the world's images and CLIPScore of the generated images, in a tiny random CLIP's spaces. */
    @Test
    void fidAndClipscoreRunOverTheGeneratedImages() throws Exception {
        try (Studio studio = TestStudio.open(dir, new Mixed())) {
            fixtures(studio.deps().roots().datasets());
            Path clip = studio.deps().roots().models().resolve("clip-tiny");
            EvalFeaturesCommandsTest.writeTower(clip.resolve("image_encoder"));
            Path text = Path.of("../diffusion/src/test/resources/fixtures/text/sd3-text-tiny");
            EvalFeaturesCommandsTest.copyFolder(text.resolve("text_encoder_2"), clip.resolve("text_encoder_2"));
            EvalFeaturesCommandsTest.copyFolder(text.resolve("tokenizer_2"), clip.resolve("tokenizer_2"));
            JavalinTest.test(studio.app(), (server, client) -> {
                Map<String, Object> base = with(request("d1.jsonl"), "detector", null);
                Map<String, Object> fid = with(with(with(base, "kind", "fid"), "real", "world/images"), "weights", "clip-tiny");
                assertBad(post(client, "/api/evaluate", with(fid, "weights", "tiny")), "weights"); // no image tower there
                String idF = json(post(client, "/api/evaluate", fid)).path("evaluationId").asText();
                Map<String, Object> cs = with(with(base, "kind", "clipscore"), "features", "clip-tiny");
                assertBad(post(client, "/api/evaluate", with(cs, "features", "tiny")), "features");
                String idC = json(post(client, "/api/evaluate", cs)).path("evaluationId").asText();
                assertEquals("done", await(client, idF, FINISHED).path("state").asText(),
                        json(client.get("/api/jobs/" + idF)).toString());
                assertEquals("done", await(client, idC, FINISHED).path("state").asText(),
                        json(client.get("/api/jobs/" + idC)).toString());
                JsonNode f = json(client.get("/api/evaluations/" + idF));
                assertTrue(f.path("score").isNumber() && f.path("score").asDouble() >= 0, f.toString());
                assertEquals(4, f.at("/summary/n_real").asInt()); // the world's 4 images
                assertEquals(4, f.at("/summary/n_fake").asInt());
                assertEquals("pancap-studio/fid-summary/1", f.at("/summary/schema").asText());
                JsonNode c = json(client.get("/api/evaluations/" + idC));
                assertEquals(4, c.at("/summary/images").asInt());
                assertEquals(c.path("score").asDouble(), c.at("/summary/clipscore/torchmetrics/score").asDouble(), 0);
                assertEquals(4, c.at("/summary/per_image").size());
                assertBad(client.get("/api/evaluations/compare?a=" + idF + "&b=" + idC), "a"); // not GenEval runs
            });
        }
    }

    /**
     * Issue 9: GenEval of the real {@code pancap-tiny} through the route with nothing but its model folder — the
     * world detector is its PanCaper ({@code captioner/}), the colour clauses are judged by its own CLIP towers
     * ({@code image_encoder/} + the chosen text tower), no {@code weights} folder; 2 prompts × 1 image, 4 steps at
     * the T5 length the MMDiT was trained with.
     */
    @Test
    void genevalOfPancapTinyJudgesColoursWithItsOwnTowers() throws Exception {
        TestStudio.pancapTiny(dir.resolve("models"));
        try (Studio studio = TestStudio.open(dir, new Mixed())) {
            Files.writeString(studio.deps().roots().datasets().resolve("colours.jsonl"), """
                    {"tag": "colors", "include": [{"class": "circle", "count": 1, "color": "red"}], "prompt": "a photo of a red circle"}
                    {"tag": "color_attr", "include": [{"class": "square", "count": 1, "color": "blue"}, {"class": "star", "count": 1, "color": "yellow"}], "prompt": "a photo of a blue square and a yellow star"}
                    {"tag": "single_object", "include": [{"class": "triangle", "count": 1}], "prompt": "a photo of a triangle"}
                    """);
            JavalinTest.test(studio.app(), (server, client) -> {
                Map<String, Object> req = new LinkedHashMap<>();
                req.put("kind", "geneval");
                req.put("model", "pancap-tiny");
                req.put("prompts", "colours.jsonl");
                req.put("limit", 2);
                req.put("images_per_prompt", 1);
                req.put("steps", 4);
                req.put("guidance", 4);
                req.put("t5_length", 128);
                req.put("seed", 0);
                assertBad(post(client, "/api/evaluate", with(req, "clip_text", "text_encoder_3")), "clip_text");
                assertBad(post(client, "/api/evaluate", with(with(with(req, "kind", "fid"), "real", "world/images"),
                        "clip_text", "text_encoder")), "clip_text");
                Response launched = post(client, "/api/evaluate", with(req, "clip_text", "text_encoder_2"));
                assertEquals(202, launched.code(), launched.body().string());
                String id = json(launched).path("evaluationId").asText();
                JsonNode job = TestStudio.await(client, id, FINISHED, 180_000);
                assertEquals("done", job.path("state").asText(), json(client.get("/api/jobs/" + id + "/logs")).toString());

                JsonNode one = json(client.get("/api/evaluations/" + id));
                assertTrue(one.path("score").isNumber(), one.toString());
                JsonNode settings = one.at("/summary/settings");
                assertEquals(2, one.at("/summary/images").asInt(), one.toString());
                assertEquals(128, settings.path("t5_length").asInt(), settings.toString());
                assertEquals(64, settings.path("width").asInt(), "pancap-tiny's native size: " + settings);
                assertTrue(settings.path("detector").asText().contains("pancap-tiny/captioner"), settings.toString());
                assertTrue(settings.path("color_classifier").asText().contains("pancap-tiny (text_encoder_2)"), settings.toString());
                assertEquals("text_encoder_2", one.at("/settings/clip_text").asText(), one.toString());
                Path folder = studio.deps().roots().evals().resolve(id);
                assertEquals(2, Files.readAllLines(folder.resolve("results.jsonl")).size());
                assertEquals(64, DataPng.read(folder.resolve("00000/samples/0000.png")).width());

                // 4 steps rarely draw a shape the PanCaper finds, so the colour clause is made to reach the CLIP with
                // a detections file boxing the whole image (no colour given): the model's towers must load and judge.
                Files.writeString(studio.deps().roots().datasets().resolve("whole.jsonl"), "{\"image\": \"00000/samples/"
                        + "0000.png\", \"detections\": [{\"class\": \"circle\", \"score\": 0.9, \"box\": [0, 0, 64, 64]}]}\n");
                String id2 = json(post(client, "/api/evaluate", with(with(req, "limit", 1), "detector", "detections:whole.jsonl")))
                        .path("evaluationId").asText();
                assertEquals("done", TestStudio.await(client, id2, FINISHED, 180_000).path("state").asText(),
                        json(client.get("/api/jobs/" + id2 + "/logs")).toString());
                JsonNode two = json(client.get("/api/evaluations/" + id2));
                String colours = two.at("/summary/settings/color_classifier").asText();
                assertTrue(colours.contains("pancap-tiny") && colours.contains("text_encoder") && !colours.contains("not loaded"),
                        colours);
                JsonNode result = TestStudio.JSON.readTree(
                        Files.readAllLines(studio.deps().roots().evals().resolve(id2).resolve("results.jsonl")).get(0));
                // the box was classified: right, or wrong naming the colours the CLIP saw ("found 0 red; and 1 orange")
                assertTrue(result.path("correct").asBoolean()
                        || result.path("reason").asText().matches("(?s).*found \\d+ red; and \\d+ \\w+.*"), result.toString());
            });
        }
    }
}
