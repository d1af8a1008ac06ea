package studio.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static studio.server.app.TestStudio.json;
import static studio.server.app.TestStudio.post;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.diffusion.train.Trainables;

/**
 * The train routes through the app factory, with real training: the lora-tiny preset (a LoRA on the random tiny MMDiT,
 * pixel latents, hashed words) on the test studio's 4-image 32-px world, cut by {@code set} overrides to a few
 * steps of seconds.
 */
class TrainRoutesTest {
    static final Set<String> FINISHED = TestStudio.FINISHED;

    @TempDir
    Path dir;

    /** lora-tiny made fast: {@code steps} steps of batch 2 at 32 px, validation and checkpoints every {@code every}. */
    static Map<String, Object> fast(int steps, int every) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("steps", steps);
        set.put("batch_size", 2);
        set.put("data.resolution", 32);
        set.put("encoders.text_tokens", 8);
        set.put("log_every", 1);
        set.put("eval_every", 0);
        set.put("checkpoint.every", every);
        set.put("checkpoint.keep", 3);
        set.put("validation.every", every);
        set.put("validation.size", 32);
        set.put("validation.steps", 2);
        set.put("validation.seeds", List.of(0));
        set.put("validation.prompts", List.of("a red circle"));
        return set;
    }

    static Map<String, Object> launch(Map<String, Object> set) {
        return Map.of("preset", "lora-tiny", "dataset", "world", "set", set);
    }

    static JsonNode awaitJob(HttpClient client, String id, Set<String> states) throws InterruptedException {
        long end = System.currentTimeMillis() + 120_000;
        JsonNode job = null;
        while (System.currentTimeMillis() < end) {
            job = json(client.get("/api/jobs/" + id));
            if (states.contains(job.path("state").asText())) {
                return job;
            }
            Thread.sleep(20);
        }
        fail("job " + id + " did not reach " + states + ": " + job);
        return job;
    }

    /** Waits until the running job has done at least {@code step} steps. */
    static void awaitStep(HttpClient client, String id, int step) throws InterruptedException {
        long end = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < end) {
            JsonNode job = json(client.get("/api/jobs/" + id));
            assertFalse(FINISHED.contains(job.path("state").asText()), "ended early: " + job);
            if (job.path("step").asInt() >= step) {
                return;
            }
            Thread.sleep(10);
        }
        fail("job " + id + " did not reach step " + step);
    }

    static List<Integer> steps(JsonNode run, String metric) {
        List<Integer> out = new ArrayList<>();
        run.path("metrics").path(metric).forEach(p -> out.add(p.get(0).asInt()));
        return out;
    }

    static List<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void aRunStreamsEveryStepAndKeepsMetricsCheckpointsAndValidationImages() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                Response r = post(client, "/api/train", launch(fast(3, 2)));
                assertEquals(202, r.code());
                JsonNode queued = json(r);
                String id = queued.path("id").asText();
                assertEquals("train", queued.path("kind").asText());
                assertEquals(id, queued.path("runId").asText());
                CompletableFuture<List<EventsTest.Sse>> stream = CompletableFuture.supplyAsync(() -> {
                    try {
                        return EventsTest.read(client.getOrigin() + "/api/jobs/" + id + "/events", "none", 1);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                List<EventsTest.Sse> events = stream.get(120, TimeUnit.SECONDS);
                List<JsonNode> progress = events.stream().filter(e -> e.event().equals("progress")).map(EventsTest.Sse::data).toList();
                assertEquals(List.of(1, 2, 3), progress.stream().map(p -> p.path("step").asInt()).toList(), events.toString());
                for (JsonNode p : progress) {
                    assertEquals(3, p.path("steps").asInt());
                    assertTrue(p.path("loss").isNumber() && p.path("loss").asDouble() > 0, p.toString());
                    assertEquals(0.002, p.path("lr").asDouble(), 1e-12, "lora-tiny's rate");
                    assertTrue(p.path("imagesPerS").asDouble() > 0, p.toString());
                    assertTrue(p.path("etaSeconds").isNumber(), p.toString());
                    assertEquals(id, p.path("runId").asText());
                }
                assertEquals(0.0, progress.get(2).path("etaSeconds").asDouble());
                String step2 = "/api/train/runs/" + id + "/validation/step-00000002/grid.png";
                assertEquals(step2, progress.get(2).path("validationUrl").asText(), "the newest grid rides on progress");
                List<String> previews = events.stream().filter(e -> e.event().equals("preview"))
                        .map(e -> e.data().path("url").asText()).toList();
                assertEquals(List.of("/api/train/runs/" + id + "/validation/step-00000000/grid.png", step2), previews);
                EventsTest.Sse last = events.get(events.size() - 1);
                assertEquals("done", last.data().path("state").asText(), last.data().toString());

                JsonNode run = json(client.get("/api/train/runs/" + id));
                assertEquals("done", run.path("state").asText());
                assertEquals("lora-tiny", run.path("preset").asText());
                assertEquals("world", run.path("dataset").asText());
                assertFalse(run.path("resumable").asBoolean());
                assertEquals(range(1, 3), steps(run, "loss"));
                assertEquals(range(1, 3), steps(run, "lr"));
                assertEquals(range(1, 3), steps(run, "images_per_s"));
                assertEquals(run.path("metrics").path("loss").get(2).get(1).asDouble(), run.path("lastLoss").asDouble());
                assertEquals(List.of("step-00000002", "step-00000003"),
                        run.path("checkpoints").findValuesAsText("name"));
                assertEquals(List.of("0", "2"), run.path("validation").findValuesAsText("step"));
                assertEquals(step2, run.path("validation").get(1).path("grid").asText());
                assertEquals(1, run.path("validation").get(1).path("images").size());
                assertEquals(Trainables.LORA_FILE, run.path("weights").path("name").asText());
                Path runDir = studio.deps().roots().runs().resolve(id);
                assertEquals(runDir.toString(), run.path("config").path("output_dir").asText());
                assertEquals(0, run.path("config").path("data").path("world").path("count").asInt());
                assertTrue(Files.isRegularFile(runDir.resolve("metrics.jsonl")), "the CLI's run folder layout");

                java.net.http.HttpResponse<byte[]> png = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(client.getOrigin() + step2)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, png.statusCode());
                assertEquals("image/png", png.headers().firstValue("Content-Type").orElse("").split(";")[0]);
                assertEquals(32, javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png.body())).getWidth(),
                        "one 32-px image per row and column (1 prompt × 1 seed)");

                JsonNode list = json(client.get("/api/train/runs"));
                assertEquals(id, list.path("runs").get(0).path("id").asText());
                assertEquals("lora-tiny on world", list.path("runs").get(0).path("name").asText());
                JsonNode job = json(client.get("/api/jobs/" + id));
                assertEquals(id, job.path("result").path("runId").asText());
                assertEquals(3, job.path("step").asInt());

                // confinement of the image route, unknown runs
                assertEquals(400, client.get("/api/train/runs/" + id + "/validation/step-00000002/..%2F..%2Fconfig.json").code());
                assertEquals(400, client.get("/api/train/runs/" + id + "/validation/..%2F..%2F..%2Fstudio.db/x").code());
                assertEquals(400, client.get("/api/train/runs/" + id + "/validation/step-00000001/grid.png").code(),
                        "no such entry (Roots.confine)");
                assertEquals(404, client.get("/api/train/runs/not-a-run").code());
                assertEquals(404, post(client, "/api/train/not-a-run/resume", "").code());
                assertEquals(409, post(client, "/api/train/" + id + "/resume", "").code(), "a finished run");
            });
        }
    }

    @Test
    void stopKeepsACheckpointOfThatStepAndResumeFinishesTheRun() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                Map<String, Object> set = fast(400, 1000);
                set.put("validation.every", 0);
                String id = json(post(client, "/api/train", launch(set))).path("id").asText();
                awaitStep(client, id, 2);
                JsonNode stop = json(post(client, "/api/train/" + id + "/stop", ""));
                assertEquals("cancelling", stop.path("outcome").asText(), stop.toString());
                JsonNode stopped = awaitJob(client, id, FINISHED);
                assertEquals("cancelled", stopped.path("state").asText(), stopped.toString());
                int k = stopped.path("step").asInt();
                assertTrue(k >= 2 && k < 400, "stopped at " + k);

                JsonNode run = json(client.get("/api/train/runs/" + id));
                assertTrue(run.path("resumable").asBoolean());
                assertEquals(List.of(String.format("step-%08d", k)), run.path("checkpoints").findValuesAsText("name"),
                        "the stop wrote a checkpoint of the step it stopped at");
                assertEquals(range(1, k), steps(run, "loss"));
                assertTrue(run.path("weights").isNull(), "no final weights for a stopped run");
                String log = json(client.get("/api/jobs/" + id + "/logs")).toString();
                assertTrue(log.contains("stopped at step " + k), log);

                Response resumed = post(client, "/api/train/" + id + "/resume", Map.of("set", Map.of("steps", k + 2)));
                assertEquals(202, resumed.code(), resumed.body().string());
                JsonNode job = json(resumed);
                String second = job.path("id").asText();
                assertNotEquals(id, second);
                assertEquals(id, job.path("runId").asText());
                assertEquals(409, post(client, "/api/train/" + id + "/resume", "").code(), "already queued or running");
                assertEquals("done", awaitJob(client, second, FINISHED).path("state").asText());

                run = json(client.get("/api/train/runs/" + id));
                assertEquals("done", run.path("state").asText());
                assertEquals(second, run.path("jobId").asText());
                assertEquals(range(1, k + 2), steps(run, "loss"), "every step once");
                assertEquals(Trainables.LORA_FILE, run.path("weights").path("name").asText());
                assertTrue(json(client.get("/api/jobs/" + second + "/logs")).toString().contains("resuming from"));
                assertEquals(id, json(client.get("/api/train/runs/" + second)).path("id").asText(), "a resume's job names its run");
                assertEquals(1, json(client.get("/api/train/runs")).path("runs").size());
            });
        }
    }

    @Test
    void trainingYieldsToAQueuedGenerationAtAStepBoundary() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                Map<String, Object> set = fast(400, 1000);
                set.put("validation.every", 0);
                String train = json(post(client, "/api/train", launch(set))).path("id").asText();
                awaitStep(client, train, 1);
                String gen = json(post(client, "/api/generate", Map.of("prompt", "a star", "steps", 2))).path("id").asText();
                assertEquals("done", awaitJob(client, gen, FINISHED).path("state").asText());
                JsonNode t = json(client.get("/api/jobs/" + train));
                assertEquals("running", t.path("state").asText(), "the generation ran inside the training run");
                assertTrue(t.path("step").asInt() < 400);
                post(client, "/api/train/" + train + "/stop", "");
                assertEquals("cancelled", awaitJob(client, train, FINISHED).path("state").asText());
                String log = json(client.get("/api/jobs/" + train + "/logs")).toString();
                assertTrue(log.contains("for 1 short job"), log);
            });
        }
    }

    /**
     * A server that stops while a run trains (the queue's shutdown) leaves it interrupted with a checkpoint of the step
     * it stopped at; a new app over the same home lists it as interrupted and resumes it to the end.
     */
    @Test
    void aRunStoppedByAServerShutdownIsInterruptedAndResumesInTheNextServer() throws Exception {
        String id;
        Map<String, Object> set = fast(400, 1000);
        set.put("validation.every", 0);
        try (Studio first = TestStudio.open(dir, new FakeGenerator())) {
            String[] started = new String[1];
            JavalinTest.test(first.app(), (server, client) -> {
                started[0] = json(post(client, "/api/train", launch(set))).path("id").asText();
                awaitStep(client, started[0], 2);
            });
            id = started[0];
        }
        try (Studio second = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(second.app(), (server, client) -> {
                JsonNode run = json(client.get("/api/train/runs/" + id));
                assertEquals("interrupted", run.path("state").asText(), run.toString());
                assertTrue(run.path("resumable").asBoolean());
                int k = run.path("checkpoints").get(0).path("step").asInt();
                assertEquals(range(1, k), steps(run, "loss"));
                String job = json(post(client, "/api/train/" + id + "/resume", Map.of("set", Map.of("steps", k + 2))))
                        .path("id").asText();
                assertEquals("done", awaitJob(client, job, FINISHED).path("state").asText());
                assertEquals(range(1, k + 2), steps(json(client.get("/api/train/runs/" + id)), "loss"));
            });
        }
    }

    /**
     * A crash: {@code studio serve} in a child JVM trains until a checkpoint exists and is killed with SIGKILL (no
     * shutdown hook, no finally). The next server over the same home shows the run as interrupted and resumes it from
     * the checkpoint; the metric rows the dead process wrote after that checkpoint are replaced, one per step.
     */
    @Test
    void aRunCutByAKilledServerIsInterruptedAndResumesInTheNextServer() throws Exception {
        TestStudio.open(dir, new FakeGenerator()).close(); // the home, the tiny model and the world dataset
        Path log = dir.resolve("serve.log");
        Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dstudio.home=" + TestStudio.PRESETS.getParent().getParent(),
                "-cp", System.getProperty("java.class.path"), "studio.server.Main", "serve", "--port", "0",
                "--home", dir.resolve("home").toString(), "--models", dir.resolve("models").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String id;
        Path runDir;
        try {
            String origin = null;
            long end = System.currentTimeMillis() + 60_000;
            while (origin == null) {
                assertTrue(serve.isAlive() && System.currentTimeMillis() < end, "studio serve did not start:\n" + read(log));
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+)/").matcher(read(log));
                origin = m.find() ? m.group(1) : null;
                Thread.sleep(50);
            }
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String body = TestStudio.JSON.writeValueAsString(launch(fast(400, 2)));
            java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(origin + "/api/train"))
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r.statusCode(), r.body());
            id = TestStudio.JSON.readTree(r.body()).path("id").asText();
            runDir = dir.resolve("home/runs").resolve(id);
            studio.core.train.Checkpoints checkpoints = new studio.core.train.Checkpoints(runDir, 3);
            while (checkpoints.latest().map(studio.core.train.Checkpoints::step).orElse(0L) < 4) {
                assertTrue(serve.isAlive() && System.currentTimeMillis() < end + 60_000, "no checkpoint:\n" + read(log));
                Thread.sleep(20);
            }
        } finally {
            serve.destroyForcibly(); // SIGKILL
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(137, serve.exitValue(), "killed by SIGKILL");
        try (Studio second = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(second.app(), (server, client) -> {
                JsonNode run = json(client.get("/api/train/runs/" + id));
                assertEquals("interrupted", run.path("state").asText(), run.toString());
                assertTrue(run.path("resumable").asBoolean());
                JsonNode cps = run.path("checkpoints");
                int k = cps.get(cps.size() - 1).path("step").asInt();
                assertTrue(k >= 4 && k % 2 == 0, run.toString());
                String job = json(post(client, "/api/train/" + id + "/resume", Map.of("set", Map.of("steps", k + 2))))
                        .path("id").asText();
                assertEquals("done", awaitJob(client, job, FINISHED).path("state").asText());
                assertTrue(json(client.get("/api/jobs/" + job + "/logs")).toString().contains("resuming from the checkpoint of step " + k));
                run = json(client.get("/api/train/runs/" + id));
                assertEquals("done", run.path("state").asText());
                assertEquals(range(1, k + 2), steps(run, "loss"), "one row per step, those after the checkpoint replaced");
            });
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void badOverridesAndPathsAre400sNamingTheField() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            Files.createSymbolicLink(studio.deps().roots().datasets().resolve("escape"), outside);
            JavalinTest.test(studio.app(), (server, client) -> {
                assertField(client, launch(Map.of("optimizer.lrr", 1)), "set.optimizer.lrr", "unknown key");
                assertField(client, launch(Map.of("optimizer", Map.of("lrr", 1))), "set.optimizer.lrr", "unknown key");
                assertField(client, launch(Map.of("steps", "many")), "set.steps", "integer");
                assertField(client, launch(Map.of("data.caption", "poem")), "set.data.caption", "long, short or mix");
                assertField(client, launch(Map.of("output_dir", "/tmp/x")), "set.output_dir", "server");
                assertField(client, launch(Map.of("data.dir", "/etc")), "set.data.dir", "dataset");
                assertField(client, launch(Map.of("data.world.count", 9)), "set.data.world.count", "existing datasets");
                assertField(client, launch(Map.of("encoders.cache_dir", "/tmp")), "set.encoders.cache_dir", "cache");
                assertField(client, launch(Map.of("model.path", "../../etc")), "set.model.path", "'..'");
                assertField(client, launch(Map.of("encoders.latent", "vae:/etc")), "set.encoders.latent", "relative name");
                assertField(client, Map.of("preset", "lora-tiny", "dataset", "world", "config", Map.of("lora", Map.of("rankk", 2))),
                        "config.lora.rankk", "unknown key");
                assertField(client, Map.of("preset", "lora-tiny", "dataset", "world", "set", List.of("steps=3")), "set", "object");
                for (String preset : List.of("../../etc/passwd", "nope", "pancap-tiny-vae")) {
                    assertField(client, Map.of("preset", preset, "dataset", "world"), "preset", "");
                }
                for (String dataset : List.of("../home", "/etc", "escape", "nope", "world/../../x")) {
                    assertField(client, Map.of("preset", "lora-tiny", "dataset", dataset), "dataset", "");
                }
                assertField(client, Map.of("dataset", "world"), "preset", "");
                assertField(client, Map.of("preset", "lora-tiny", "dataset", "world", "steps", 3), "steps", "unknown field");
                assertEquals(0, json(client.get("/api/train/runs")).path("runs").size(), "nothing was queued");
                assertEquals(0, json(client.get("/api/jobs")).path("total").asInt());
            });
        }
    }

    static void assertField(HttpClient client, Object body, String field, String inMessage) throws Exception {
        Response r = post(client, "/api/train", body);
        String text = r.body().string();
        assertEquals(400, r.code(), body + " → " + text);
        JsonNode j = TestStudio.JSON.readTree(text);
        assertEquals(field, j.path("field").asText(), body + " → " + text);
        assertTrue(j.path("error").asText().contains(inMessage), body + " → " + text);
    }

    @Test
    void presetsListTheLoraAndFullConfigsWithTheirValuesAndTheOpenApiDocumentTheRoutes() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                JsonNode presets = json(client.get("/api/train/presets")).path("presets");
                List<String> names = presets.findValuesAsText("name");
                assertTrue(names.containsAll(List.of("lora-tiny", "full-tiny", "lora-sd3-medium")), names.toString());
                assertFalse(names.contains("pancap-tiny-vae") || names.contains("pancaper-tiny"), names.toString());
                JsonNode tiny = presets.get(names.indexOf("lora-tiny"));
                assertNull(tiny.path("problem").textValue());
                assertEquals(100, tiny.path("steps").asInt());
                assertEquals(0.002, tiny.path("lr").asDouble());
                assertEquals(4, tiny.path("rank").asInt());
                assertEquals("long", tiny.path("caption").asText());
                assertEquals(25, tiny.path("validationEvery").asInt());
                assertEquals("full", presets.get(names.indexOf("full-tiny")).path("task").asText());
                String sd3 = presets.get(names.indexOf("lora-sd3-medium")).path("problem").asText();
                assertTrue(sd3.contains("model.path") && sd3.contains("sd3-medium"), sd3);

                JsonNode paths = json(client.get("/api/openapi.json")).path("paths");
                for (String p : List.of("/api/train", "/api/train/presets", "/api/train/{id}/stop", "/api/train/{id}/resume",
                        "/api/train/runs", "/api/train/runs/{id}", "/api/train/runs/{id}/validation/{step}/{name}")) {
                    assertTrue(paths.has(p), p);
                }
                assertTrue(paths.path("/api/train").path("post").path("requestBody").toString().contains("dataset"));
                assertTrue(json(client.get("/api/capabilities")).path("train").asBoolean());
            });
        }
    }
}
