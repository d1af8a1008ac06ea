package studio.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.app.TestStudio.FINISHED;
import static studio.server.app.TestStudio.await;
import static studio.server.app.TestStudio.json;
import static studio.server.app.TestStudio.post;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.DataPng;
import studio.core.device.Precision;
import studio.server.work.PipelineGenerator;

/** One real generation through the queue: the tiny SD3 fixture with its tiny text encoders, on the CPU. */
class RealGenerationTest {
    @TempDir
    Path dir;

    @Test
    void aTinyModelGeneratesThroughTheQueue() throws Exception {
        PipelineGenerator real = new PipelineGenerator(ai.djl.Device.cpu(), Precision.F32,
                PipelineGenerator.textEncoders(Precision.F32), Map.of("studio", "test"));
        try (Studio studio = TestStudio.open(dir, real)) {
            JavalinTest.test(studio.app(), (server, client) -> {
                JsonNode queued = json(post(client, "/api/generate", Map.of("prompt", "a red circle left of a blue square",
                        "negative", "blurry", "steps", 3, "guidance", 4, "seed", 7, "width", 32, "height", 16)));
                JsonNode job = await(client, queued.path("id").asText(), FINISHED);
                assertEquals("done", job.path("state").asText(), job.toString());
                assertEquals(3, job.path("step").asInt());
                JsonNode image = job.path("images").get(0);
                assertEquals(32, image.path("width").asInt());
                Path png = studio.deps().roots().images().resolve(image.path("id").asText() + ".png");
                assertEquals(16, DataPng.read(png).height());
                String bytes = new String(Files.readAllBytes(png), StandardCharsets.ISO_8859_1);
                assertTrue(bytes.contains("parameters") && bytes.contains("Seed: 7"), "PNG lacks its parameters");
                assertTrue(image.path("metadata").toString().contains("t5"), image.path("metadata").toString());
            });
        }
    }

    /**
     * Per-encoder prompts reach their encoders (the image's token report names the text each one got, and the
     * pixels differ from the same seed without them), the live counter reports exactly what the pipeline reported
     * (one truncation rule), reproduce keeps them, and previews of x̂₀ arrive over SSE every k steps.
     */
    @Test
    void perEncoderPromptsCountsAgreeAndPreviewsStream() throws Exception {
        PipelineGenerator real = new PipelineGenerator(ai.djl.Device.cpu(), Precision.F32,
                PipelineGenerator.textEncoders(Precision.F32), Map.of("studio", "test"));
        try (Studio studio = TestStudio.open(dir, real)) {
            JavalinTest.test(studio.app(), (server, client) -> {
                String t5Text = "a large blue square above a small red circle on green grass under a bright sky ".repeat(4);
                Map<String, Object> request = new java.util.LinkedHashMap<>(Map.of("prompt", "a red circle",
                        "prompt_3", t5Text, "negative", "blurry", "negative_2", "dark, grainy", "steps", 3,
                        "guidance", 4, "seed", 7, "width", 32, "height", 16, "t5Length", 16));
                request.put("previewEvery", 2);
                JsonNode queued = json(post(client, "/api/generate", request));
                String id = queued.path("id").asText();
                java.util.concurrent.CompletableFuture<java.util.List<EventsTest.Sse>> stream =
                        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                            try {
                                return EventsTest.read(client.getOrigin() + "/api/jobs/" + id + "/events", "none", 1);
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
                JsonNode job = await(client, id, FINISHED);
                assertEquals("done", job.path("state").asText(), job.toString());
                JsonNode image = job.path("images").get(0);
                JsonNode tokens = image.path("metadata").path("token_report");
                JsonNode t5 = find(tokens.path("prompt"), "t5");
                assertEquals(t5Text, t5.path("text").asText());
                assertEquals("a red circle", find(tokens.path("prompt"), "clip_g").path("text").asText());
                assertEquals("dark, grainy", find(tokens.path("negative_prompt"), "clip_g").path("text").asText());
                assertEquals("blurry", find(tokens.path("negative_prompt"), "t5").path("text").asText());
                assertEquals(t5Text, image.path("params").path("prompt_3").asText());

                // The counter, asked about the same request, says what the pipeline did.
                Map<String, Object> ask = new java.util.LinkedHashMap<>(request);
                ask.keySet().retainAll(java.util.Set.of("prompt", "prompt_3", "negative", "negative_2", "guidance", "t5Length"));
                JsonNode counted = json(post(client, "/api/tokens", ask));
                for (String[] side : new String[][] {{"prompt", "prompt"}, {"negative", "negative_prompt"}}) {
                    for (String enc : new String[] {"clip_l", "clip_g", "t5"}) {
                        JsonNode c = find(counted.path(side[0]), enc);
                        JsonNode p = find(tokens.path(side[1]), enc);
                        assertEquals(p.path("text").asText(), c.path("text").asText(), side[0] + " " + enc);
                        assertEquals(p.path("tokens").asInt(), c.path("tokens").asInt(), side[0] + " " + enc);
                        assertEquals(p.path("kept").asInt(), c.path("kept").asInt(), side[0] + " " + enc);
                        assertEquals(p.path("chunks").asInt(), c.path("chunks").asInt(), side[0] + " " + enc);
                        assertEquals(p.path("dropped_from").asInt(), c.path("droppedFrom").asInt(), side[0] + " " + enc);
                    }
                }
                assertTrue(find(counted.path("prompt"), "t5").path("dropped").asText().length() > 0, "T5 cut at 16 tokens");

                java.util.List<EventsTest.Sse> events = stream.get(30, java.util.concurrent.TimeUnit.SECONDS);
                java.util.List<JsonNode> previews = events.stream().filter(e -> e.event().equals("preview"))
                        .map(EventsTest.Sse::data).toList();
                assertEquals(2, previews.size(), events.toString()); // after steps 2 and 3 (the last)
                assertEquals("step 2/3", previews.get(0).path("caption").asText());
                io.javalin.testtools.Response frame = client.get(previews.get(1).path("url").asText());
                assertEquals(200, frame.code());
                assertEquals("image/png", frame.headers().get("Content-Type").get(0).split(";")[0]);
                Path framePng = studio.deps().roots().jobFiles(id).resolve("preview-0003.png");
                assertEquals(32, DataPng.read(framePng).width());

                // The same seed without prompt_3 / negative_2: other conditioning, other pixels.
                Map<String, Object> plain = new java.util.LinkedHashMap<>(request);
                plain.remove("prompt_3");
                plain.remove("negative_2");
                JsonNode other = await(client, json(post(client, "/api/generate", plain)).path("id").asText(), FINISHED);
                Path a = studio.deps().roots().images().resolve(image.path("id").asText() + ".png");
                Path b = studio.deps().roots().images().resolve(other.path("images").get(0).path("id").asText() + ".png");
                assertTrue(!java.util.Arrays.equals(DataPng.read(a).rgb(), DataPng.read(b).rgb()), "prompt_3 changed nothing");

                // Reproduce restores the per-encoder texts: the same pixels again.
                JsonNode again = await(client, json(post(client, "/api/images/" + image.path("id").asText() + "/reproduce", ""))
                        .path("id").asText(), FINISHED);
                assertEquals(t5Text, again.path("images").get(0).path("params").path("prompt_3").asText());
                Path c = studio.deps().roots().images().resolve(again.path("images").get(0).path("id").asText() + ".png");
                assertTrue(java.util.Arrays.equals(DataPng.read(a).rgb(), DataPng.read(c).rgb()), "reproduce differs");
            });
        }
    }

    private static JsonNode find(JsonNode report, String encoder) {
        JsonNode list = report.has("encoders") ? report.path("encoders") : report;
        for (JsonNode e : list) {
            if (e.path("encoder").asText().equals(encoder)) {
                return e;
            }
        }
        throw new AssertionError("no " + encoder + " in " + report);
    }
}
