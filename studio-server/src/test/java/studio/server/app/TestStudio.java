package studio.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import studio.server.Main;
import studio.server.work.CaptionerChecker;
import studio.server.work.ImageGenerator;
import studio.server.work.TokenizerCounter;

/**
 * A studio in a temporary home for tests: model {@code tiny} (the diffusion module's tiny SD3 fixture with the
 * tiny text encoders and tokenizers, linked file by file so the folder itself is inside the models root), a LoRA
 * file, and a 4-image synthetic dataset {@code world}; the generator is given (a fake, or the real pipeline).
 */
public final class TestStudio {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path PIPELINE = Path.of("../diffusion/src/test/resources/fixtures/pipeline/tiny-sd3").toAbsolutePath().normalize();
    /** The repository's training presets (configs/train), as the installation serves them. */
    public static final Path PRESETS = Path.of("../configs/train").toAbsolutePath().normalize();
    /** The embedded model {@code pancap-tiny} as committed under the repository's {@code models/}. */
    public static final Path PANCAP_TINY = Path.of("../models/pancap-tiny").toAbsolutePath().normalize();
    static final Path TEXT = Path.of("../diffusion/src/test/resources/fixtures/text/sd3-text-tiny").toAbsolutePath().normalize();

    private TestStudio() {}

    public static Studio open(Path dir, ImageGenerator generator, ServerSettings settings) throws IOException {
        Path models = dir.resolve("models");
        tinyModel(models.resolve("tiny"));
        Roots roots = Roots.under(dir.resolve("home"), models, PRESETS);
        roots.createFolders();
        Files.write(roots.loras().resolve("style.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '});
        if (!Files.exists(roots.datasets().resolve("world"))) {
            world(roots.datasets().resolve("world"));
        }
        return Studio.open(settings, roots, generator, new TokenizerCounter(), new CaptionerChecker(), "test", "tiny");
    }

    public static Studio open(Path dir, ImageGenerator generator) throws IOException {
        return open(dir, generator, ServerSettings.loopback());
    }

    static void tinyModel(Path model) throws IOException {
        if (Files.isDirectory(model)) {
            return;
        }
        Files.createDirectories(model);
        for (String part : new String[] {"model_index.json", "scheduler", "transformer", "vae"}) {
            Files.createSymbolicLink(model.resolve(part), PIPELINE.resolve(part));
        }
        for (String part : new String[] {"text_encoder", "text_encoder_2", "text_encoder_3", "tokenizer", "tokenizer_2", "tokenizer_3"}) {
            Files.createSymbolicLink(model.resolve(part), TEXT.resolve(part));
        }
    }

    /**
     * Adds the real {@code pancap-tiny} to a test models root, linked part by part (as {@link #tinyModel}) so the
     * folder itself is inside the root. Only tests that mean the real model call it: it is 52 MB to load.
     */
    public static void pancapTiny(Path models) throws IOException {
        Path model = models.resolve("pancap-tiny");
        if (Files.isDirectory(model)) {
            return;
        }
        Files.createDirectories(model);
        try (java.util.stream.Stream<Path> parts = Files.list(PANCAP_TINY)) {
            for (Path part : (Iterable<Path>) parts.sorted()::iterator) {
                Files.createSymbolicLink(model.resolve(part.getFileName().toString()), part);
            }
        }
    }

    static void world(Path out) {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "world", "--out", out.toString(),
                "--count", "4", "--size", "32", "--seed", "3");
        assertEquals(0, code, err.toString());
    }

    static JsonNode json(Response r) {
        try {
            return JSON.readTree(r.body().string());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + e.getMessage(), e);
        }
    }

    static Response post(HttpClient client, String path, Object body) {
        try {
            String text = body instanceof String s ? s : JSON.writeValueAsString(body);
            return client.request(path, b -> b.post(java.net.http.HttpRequest.BodyPublishers.ofString(text))
                    .header("Content-Type", "application/json"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Polls the job until it reaches one of {@code states} (20 s at most) and returns it. */
    static JsonNode await(HttpClient client, String jobId, Set<String> states) throws InterruptedException {
        return await(client, jobId, states, 20_000);
    }

    static JsonNode await(HttpClient client, String jobId, Set<String> states, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        JsonNode job = null;
        while (System.currentTimeMillis() < end) {
            job = json(client.get("/api/jobs/" + jobId));
            if (states.contains(job.path("state").asText())) {
                return job;
            }
            Thread.sleep(20);
        }
        fail("job " + jobId + " did not reach " + states + ": " + job);
        return job;
    }

    static final Set<String> FINISHED = Set.of("done", "failed", "cancelled", "interrupted");
}
