package studio.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.app.TestStudio.json;
import static studio.server.app.TestStudio.post;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;

/** Path confinement, the bearer token, the Host check, body size and content type. */
class SecurityTest {
    @TempDir
    Path dir;

    @Test
    void namesCannotLeaveTheirRoot() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("secret"));
        Files.writeString(outside.resolve("x.safetensors"), "not yours");
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            Path loras = studio.deps().roots().loras();
            Files.createSymbolicLink(loras.resolve("escape.safetensors"), outside.resolve("x.safetensors"));
            Files.createSymbolicLink(loras.resolve("linked"), outside);
            JavalinTest.test(studio.app(), (server, client) -> {
                for (String model : List.of("../models/tiny", "tiny/../../secret", "/etc", "..", "tiny/./x", "a\\b", "~root")) {
                    JsonNode r = json(post(client, "/api/generate", Map.of("prompt", "x", "model", model)));
                    assertEquals("model", r.path("field").asText(), model + ": " + r);
                }
                for (String lora : List.of("escape.safetensors", "linked/x.safetensors", "../../secret/x.safetensors")) {
                    Response r = post(client, "/api/generate", Map.of("prompt", "x", "loras", List.of(Map.of("name", lora))));
                    assertEquals(400, r.code(), lora);
                    assertEquals("loras[0].name", json(r).path("field").asText());
                }
                assertEquals("dataset", json(post(client, "/api/data/stats", Map.of("dataset", "../models"))).path("field").asText());
                assertEquals("captioner", json(post(client, "/api/check", Map.of("image", "x", "captioner", "oracle:../.."))).path("field").asText("image"));
                assertEquals(404, client.get("/api/jobs/..%2F..%2Fetc/files/passwd").code());
                assertEquals(0, json(client.get("/api/jobs")).path("total").asInt());
            });
        }
    }

    @Test
    void aTokenIsRequiredOnEveryApiCallWhenSet() throws Exception {
        String token = "0123456789abcdef-token";
        ServerSettings settings = new ServerSettings("127.0.0.1", token, ServerSettings.DEFAULT_MAX_BODY, 32);
        try (Studio studio = TestStudio.open(dir, new FakeGenerator(), settings)) {
            JavalinTest.test(studio.app(), (server, client) -> {
                Response none = client.get("/api/health");
                assertEquals(401, none.code());
                assertEquals(List.of("Bearer"), none.headers().get("WWW-Authenticate"));
                assertEquals(401, client.get("/api/health", b -> b.header("Authorization", "Bearer wrong-token-0000000")).code());
                assertEquals(401, client.get("/api/events", b -> b.header("Authorization", "Basic " + token)).code());
                assertEquals(401, post(client, "/api/generate", Map.of("prompt", "x")).code());
                assertEquals(200, client.get("/api/health", b -> b.header("Authorization", "Bearer " + token)).code());
                Response queued = client.request("/api/generate", b -> b.header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .post(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\",\"steps\":1}")));
                assertEquals(202, queued.code());
            });
        }
    }

    @Test
    void beyondLoopbackATokenIsMandatory() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> new ServerSettings("0.0.0.0", null, ServerSettings.DEFAULT_MAX_BODY, 32));
        assertTrue(e.getMessage().contains("--token"), e.getMessage());
        assertThrows(BadInputException.class, () -> new ServerSettings("0.0.0.0", "short", ServerSettings.DEFAULT_MAX_BODY, 32));
        assertEquals("0.0.0.0", new ServerSettings("0.0.0.0", "a-long-enough-token", ServerSettings.DEFAULT_MAX_BODY, 32).host());
    }

    @Test
    void withoutATokenOnlyLoopbackHostNamesAreServed() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                assertEquals("HTTP/1.1 403 Forbidden", rawGet(server.port(), "/api/health", "evil.example"));
                assertEquals("HTTP/1.1 200 OK", rawGet(server.port(), "/api/health", "localhost:" + server.port()));
                assertTrue(Security.loopbackHost("localhost:7860"));
                assertTrue(Security.loopbackHost("127.0.0.1:7860"));
                assertTrue(Security.loopbackHost("[::1]:7860"));
                assertEquals(false, Security.loopbackHost("evil.example:7860"));
                assertEquals(false, Security.loopbackHost("127.0.0.1.evil.example"));
            });
        }
    }

    /** The status line of a GET with a chosen Host header (java.net.http does not let callers set Host). */
    static String rawGet(int port, String path, String host) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void oversizedAndNonJsonBodiesAreRefused() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                String huge = "{\"prompt\":\"" + "x".repeat((int) ServerSettings.DEFAULT_MAX_BODY + 10) + "\"}";
                Response big = post(client, "/api/generate", huge);
                assertEquals(413, big.code());
                assertEquals("body", json(big).path("field").asText());
                Response longPrompt = post(client, "/api/generate", Map.of("prompt", "y".repeat(20_001)));
                assertEquals(400, longPrompt.code());
                assertEquals("prompt", json(longPrompt).path("field").asText());
                Response form = client.request("/api/generate", b -> b.header("Content-Type", "text/plain")
                        .post(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}")));
                assertEquals(415, form.code());
                assertEquals(0, json(client.get("/api/jobs")).path("total").asInt());
            });
        }
    }
}
