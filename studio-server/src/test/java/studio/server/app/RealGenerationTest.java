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
}
