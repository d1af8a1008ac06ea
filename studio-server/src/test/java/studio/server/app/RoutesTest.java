package studio.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.app.TestStudio.FINISHED;
import static studio.server.app.TestStudio.await;
import static studio.server.app.TestStudio.json;
import static studio.server.app.TestStudio.post;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.DataPng;
import studio.core.data.pancap.PanCapDataset;

/** Every route through the app factory (JavalinTest on a random loopback port), with a fake generator. */
class RoutesTest {
    @TempDir
    Path dir;

    @Test
    void healthCapabilitiesModelsLorasDatasets() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                JsonNode health = json(client.get("/api/health"));
                assertTrue(health.path("ok").asBoolean());
                assertEquals(32, health.path("queue").path("capacity").asInt());
                assertTrue(json(client.get("/api/capabilities")).path("jobKinds").toString().contains("generate"));
                JsonNode models = json(client.get("/api/models"));
                assertEquals("tiny", models.path("models").get(0).path("name").asText());
                assertTrue(models.path("models").get(0).path("textEncoders").asBoolean());
                assertEquals(16, models.path("models").get(0).path("nativeSize").asInt(), models.toString());
                assertEquals("style.safetensors", json(client.get("/api/loras")).path("loras").get(0).path("name").asText());
                assertEquals("world", json(client.get("/api/datasets")).path("datasets").get(0).path("name").asText());
            });
        }
    }

    @Test
    void generateStoresImagesThatTheGalleryServesAndReproduces() throws Exception {
        FakeGenerator gen = new FakeGenerator();
        try (Studio studio = TestStudio.open(dir, gen)) {
            JavalinTest.test(studio.app(), (server, client) -> {
                Response r = post(client, "/api/generate", Map.of("prompt", "a red circle on grass", "seed", 41,
                        "steps", 3, "batch", 2, "width", 32, "height", 16,
                        "loras", List.of(Map.of("name", "style.safetensors", "scale", 0.5))));
                assertEquals(202, r.code());
                JsonNode queued = json(r);
                assertEquals("generate", queued.path("kind").asText());
                JsonNode job = await(client, queued.path("id").asText(), FINISHED);
                assertEquals("done", job.path("state").asText(), job.toString());
                assertEquals(3, job.path("step").asInt());
                assertEquals(2, job.path("images").size());
                JsonNode img = job.path("images").get(1);
                assertEquals(42, img.path("seed").asLong());
                assertEquals(1, img.path("params").path("batch").asInt());
                assertEquals(0.5, img.path("params").path("loras").get(0).path("scale").asDouble());

                JsonNode gallery = json(client.get("/api/images"));
                assertEquals(2, gallery.path("images").size());
                Response png = client.get(img.path("url").asText());
                assertEquals(200, png.code());
                assertEquals("image/png", png.headers().get("Content-Type").get(0).split(";")[0]);
                Path file = studio.deps().roots().images().resolve(img.path("id").asText() + ".png");
                assertEquals(32, DataPng.read(file).width());
                assertEquals(img.path("id").asText(), json(client.get("/api/images/" + img.path("id").asText())).path("id").asText());

                JsonNode again = json(post(client, "/api/images/" + img.path("id").asText() + "/reproduce", ""));
                JsonNode done = await(client, again.path("id").asText(), FINISHED);
                assertEquals(42, done.path("images").get(0).path("seed").asLong());
                assertEquals(1, done.path("images").size());
                assertEquals(Set.of("device-worker"), gen.threads);
                JsonNode logs = json(client.get("/api/jobs/" + queued.path("id").asText() + "/logs"));
                assertTrue(logs.path("lines").toString().contains("wrote image 1"), logs.toString());
            });
        }
    }

    @Test
    void invalidRequestsAre400WithTheField() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                Map<Object, String> cases = Map.of(
                        Map.of("steps", 3), "prompt",
                        Map.of("prompt", "x", "steps", 0), "steps",
                        Map.of("prompt", "x", "guidance", "high"), "guidance",
                        Map.of("prompt", "x", "sampler", "ddim"), "sampler",
                        Map.of("prompt", "x", "colour", "red"), "colour",
                        Map.of("prompt", "x", "model", "nope"), "model",
                        Map.of("prompt", "x", "loras", List.of(Map.of("name", "style.ckpt"))), "loras[0].name",
                        Map.of("prompt", "x", "loras", List.of(Map.of("name", "style.safetensors", "scale", 9))), "loras[0].scale",
                        "{not json", "body");
                for (Map.Entry<Object, String> c : cases.entrySet()) {
                    Response r = post(client, "/api/generate", c.getKey());
                    assertEquals(400, r.code(), c.toString());
                    JsonNode body = json(r);
                    assertEquals(c.getValue(), body.path("field").asText(), body.toString());
                    assertFalse(body.path("error").asText().isEmpty());
                }
                assertEquals(0, json(client.get("/api/jobs")).path("total").asInt());
                assertEquals(400, client.get("/api/jobs?limit=0").code());
                assertEquals(404, client.get("/api/jobs/no-such-job").code());
                assertEquals(404, client.get("/api/images/no-such-image/png").code());
                Response unknown = client.get("/api/nothing");
                assertEquals(404, unknown.code());
                assertTrue(json(unknown).path("error").asText().contains("/api/nothing"));
            });
        }
    }

    @Test
    void cancelAQueuedAndARunningJob() throws Exception {
        FakeGenerator gen = new FakeGenerator();
        gen.hold();
        try (Studio studio = TestStudio.open(dir, gen)) {
            JavalinTest.test(studio.app(), (server, client) -> {
                String running = json(post(client, "/api/generate", Map.of("prompt", "a", "steps", 50))).path("id").asText();
                assertTrue(gen.awaitRunning(10_000));
                String queued = json(post(client, "/api/generate", Map.of("prompt", "b"))).path("id").asText();
                JsonNode c1 = json(post(client, "/api/jobs/" + queued + "/cancel", ""));
                assertEquals("cancelled", c1.path("outcome").asText());
                assertEquals("cancelled", c1.path("job").path("state").asText());
                JsonNode c2 = json(post(client, "/api/jobs/" + running + "/cancel", ""));
                assertEquals("cancelling", c2.path("outcome").asText());
                gen.release();
                JsonNode end = await(client, running, FINISHED);
                assertEquals("cancelled", end.path("state").asText());
                assertTrue(end.path("step").asInt() < 50, end.toString());
                assertEquals("already-finished", json(post(client, "/api/jobs/" + running + "/cancel", "")).path("outcome").asText());
                assertEquals(404, post(client, "/api/jobs/nope/cancel", "").code());
                assertEquals(1, gen.calls.get());
            });
        }
    }

    @Test
    void tokenCountsPerEncoderWithTheDroppedText() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                String longPrompt = "a small red circle left of a large blue square on grass under a bright sky ".repeat(30);
                JsonNode r = json(post(client, "/api/tokens", Map.of("prompt", longPrompt, "negative", "blurry", "t5Length", 64)));
                JsonNode encoders = r.path("prompt").path("encoders");
                assertEquals(3, encoders.size(), r.toString());
                JsonNode t5 = encoders.get(2);
                assertEquals("t5", t5.path("encoder").asText());
                assertEquals(63, t5.path("kept").asInt());
                assertTrue(t5.path("tokens").asInt() > 63);
                int from = t5.path("droppedFrom").asInt();
                assertEquals(longPrompt.substring(from), t5.path("dropped").asText());
                JsonNode clip = encoders.get(0);
                assertEquals(4, clip.path("chunks").asInt());
                assertEquals(300, clip.path("capacity").asInt());
                assertEquals("", r.path("negative").path("encoders").get(0).path("dropped").asText());

                // Each encoder is counted on the text it receives; a long CLIP-G negative adds chunks to the prompt
                // too (the CFG batch shares them, as encoded); no CFG (guidance 1): no negative at all.
                JsonNode per = json(post(client, "/api/tokens", Map.of("prompt", "a star", "prompt_3", "a yellow star",
                        "negative_2", "blurry ".repeat(20), "negative_3", "jpeg", "t5Length", 64)));
                assertEquals("a yellow star", per.at("/prompt/encoders/2/text").asText());
                assertEquals("a star", per.at("/prompt/encoders/1/text").asText());
                assertEquals("jpeg", per.at("/negative/encoders/2/text").asText());
                assertEquals("", per.at("/negative/encoders/0/text").asText());
                int chunks = per.at("/negative/encoders/1/chunks").asInt();
                assertTrue(chunks > 1, per.toString());
                assertEquals(chunks, per.at("/prompt/encoders/0/chunks").asInt(), per.toString());
                JsonNode noCfg = json(post(client, "/api/tokens", Map.of("prompt", "a star", "negative", "x", "guidance", 1)));
                assertTrue(noCfg.path("negative").isMissingNode(), noCfg.toString());
                assertEquals(1, noCfg.at("/prompt/encoders/0/chunks").asInt());
            });
        }
    }

    @Test
    void datasetStatsAndValidateJobs() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                JsonNode stats = await(client, json(post(client, "/api/data/stats", Map.of("dataset", "world"))).path("id").asText(), FINISHED);
                assertEquals("done", stats.path("state").asText(), stats.toString());
                assertEquals(4, stats.path("result").path("images").asInt());
                assertTrue(stats.path("result").path("wordsPerCaption").asDouble() > 10);
                JsonNode valid = await(client, json(post(client, "/api/data/validate", Map.of("dataset", "world"))).path("id").asText(), FINISHED);
                assertTrue(valid.path("result").path("ok").asBoolean(), valid.toString());
                assertEquals("dataset", json(post(client, "/api/data/stats", Map.of("dataset", "missing"))).path("field").asText());
            });
        }
    }

    @Test
    void checkAGalleryImageAgainstItsPromptWithTheOverlay() throws Exception {
        FakeGenerator gen = new FakeGenerator();
        try (Studio studio = TestStudio.open(dir, gen)) {
            Path world = studio.deps().roots().datasets().resolve("world");
            PanCapDataset ds = PanCapDataset.open(world);
            long imageId = ds.json().annotations().get(0).imageId();
            gen.picture = DataPng.read(world.resolve(String.format("images/%012d.png", imageId)));
            String caption = ds.captions().caption(imageId).orElseThrow();
            JavalinTest.test(studio.app(), (server, client) -> {
                JsonNode job = await(client, json(post(client, "/api/generate", Map.of("prompt", caption, "steps", 1))).path("id").asText(), FINISHED);
                String image = job.path("images").get(0).path("id").asText();
                JsonNode check = await(client, json(post(client, "/api/check", Map.of("image", image, "captioner", "oracle:world"))).path("id").asText(), FINISHED);
                assertEquals("done", check.path("state").asText(), check.toString());
                JsonNode entities = check.path("result").path("entities");
                assertTrue(entities.size() > 0, check.toString());
                Set<String> statuses = new HashSet<>();
                entities.forEach(e -> statuses.add(e.path("status").asText()));
                assertEquals(Set.of("present"), statuses, entities.toString());
                Response overlay = client.get(check.path("result").path("overlayUrl").asText());
                assertEquals(200, overlay.code());
                assertEquals(400, post(client, "/api/check", Map.of("image", image, "captioner", "vlm:x")).code());
                assertEquals("image", json(post(client, "/api/check", Map.of("image", "zz", "captioner", "oracle:world"))).path("field").asText());
            });
        }
    }

    @Test
    void openApiListsEveryRoute() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                JsonNode doc = json(client.get("/api/openapi.json"));
                assertEquals("3.0.3", doc.path("openapi").asText());
                JsonNode paths = doc.path("paths");
                for (String p : List.of("/api/generate", "/api/jobs/{id}/cancel", "/api/jobs/{id}/events", "/api/events",
                        "/api/tokens", "/api/images/{id}/png", "/api/check", "/api/data/stats", "/api/models", "/api/loras",
                        "/api/openapi.json")) {
                    assertTrue(paths.has(p), p + " missing from " + paths.fieldNames());
                }
                JsonNode gen = paths.path("/api/generate").path("post");
                assertEquals("prompt", gen.path("requestBody").path("content").path("application/json").path("schema")
                        .path("required").get(0).asText());
                assertTrue(gen.path("responses").has("429"));
                assertNotEquals(0, paths.size());
            });
        }
    }

    @Test
    void webUiIsServedWhenBundled() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                Response r = client.get("/");
                if (App.class.getResource(App.PUBLIC + "/index.html") == null) {
                    assertEquals(404, r.code());
                    return;
                }
                assertEquals(200, r.code());
                assertTrue(r.body().string().contains("PanCap Studio"));
                assertEquals(List.of("nosniff"), r.headers().get("X-Content-Type-Options"));
            });
        }
    }
}
