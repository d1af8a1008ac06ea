package studio.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.app.TestStudio.FINISHED;
import static studio.server.app.TestStudio.await;
import static studio.server.app.TestStudio.json;
import static studio.server.app.TestStudio.post;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server-sent events: one job's stream from its state to its end, and the stream of every job. */
class EventsTest {
    @TempDir
    Path dir;

    record Sse(String event, JsonNode data) {}

    /** Reads an SSE stream until it ends or {@code stopAfter} events of type {@code until} arrived. */
    static List<Sse> read(String url, String until, int stopAfter) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        List<Sse> events = new ArrayList<>();
        String event = null;
        int seen = 0;
        try (Stream<String> lines = r.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    events.add(new Sse(event, TestStudio.JSON.readTree(line.substring(5).trim())));
                    if (event.equals(until) && ++seen >= stopAfter) {
                        break;
                    }
                }
            }
        }
        return events;
    }

    @Test
    void aJobStreamShowsProgressWithEtaImagesAndEndsAfterTheTerminalState() throws Exception {
        FakeGenerator gen = new FakeGenerator();
        gen.hold();
        gen.stepMillis = 5;
        try (Studio studio = TestStudio.open(dir, gen)) {
            JavalinTest.test(studio.app(), (server, client) -> {
                String id = json(post(client, "/api/generate", Map.of("prompt", "a star", "steps", 6, "batch", 2))).path("id").asText();
                CompletableFuture<List<Sse>> stream = CompletableFuture.supplyAsync(() -> {
                    try {
                        return read(client.getOrigin() + "/api/jobs/" + id + "/events", "none", 1);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                assertTrue(gen.awaitRunning(10_000));
                Thread.sleep(200); // the stream is connected and has its snapshot
                gen.release();
                List<Sse> events = stream.get(20, TimeUnit.SECONDS);
                assertEquals("state", events.get(0).event());
                List<JsonNode> progress = events.stream().filter(e -> e.event().equals("progress")).map(Sse::data).toList();
                assertEquals(6, progress.size(), events.toString());
                assertEquals(6, progress.get(5).path("step").asInt());
                assertTrue(progress.get(2).path("etaSeconds").isNumber(), progress.get(2).toString());
                assertEquals(2, events.stream().filter(e -> e.event().equals("image")).count());
                assertTrue(events.stream().filter(e -> e.event().equals("image")).allMatch(e -> e.data().path("url").asText().endsWith("/png")));
                Sse last = events.get(events.size() - 1);
                assertEquals("state", last.event());
                assertEquals("done", last.data().path("state").asText());
            });
        }
    }

    @Test
    void aFinishedJobStreamHoldsItsFinalStateOnly() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                String id = json(post(client, "/api/generate", Map.of("prompt", "a ring", "steps", 2))).path("id").asText();
                await(client, id, FINISHED);
                List<Sse> events = read(client.getOrigin() + "/api/jobs/" + id + "/events", "none", 1);
                assertEquals(1, events.size(), events.toString());
                assertEquals("done", events.get(0).data().path("state").asText());
                assertEquals(404, client.get("/api/jobs/not-a-job/events").code());
            });
        }
    }

    /** A browser that goes away (tab closed, fetch aborted) is dropped at the next events, not served forever. */
    @Test
    void aStreamWhoseClientLeftIsDroppedAtTheNextEvents() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(client.getOrigin() + "/api/events"))
                        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
                assertTrue(r.body().read() >= 0, "connected");
                assertEquals(1, studio.deps().events().subscriberCount());
                r.body().close(); // the client goes away without a word
                long end = System.currentTimeMillis() + 20_000;
                while (studio.deps().events().subscriberCount() > 0 && System.currentTimeMillis() < end) {
                    String id = json(post(client, "/api/generate", Map.of("prompt", "ping", "steps", 3))).path("id").asText();
                    await(client, id, FINISHED);
                }
                assertEquals(0, studio.deps().events().subscriberCount());
            });
        }
    }

    /**
     * Streams still subscribed when the HTTP server stops (Jetty recycles their requests) are dropped at the next
     * event without writing to the dead request; writing made Javalin complete it and loop on its error handling.
     */
    @Test
    void streamsOfAStoppedServerAreDroppedQuietly() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator()).start(0)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + studio.app().port() + "/api/events"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
            assertTrue(r.body().read() >= 0, "connected");
            assertEquals(1, studio.deps().events().subscriberCount());
            studio.app().stop();
            long end = System.currentTimeMillis() + 10_000;
            while (studio.deps().events().subscriberCount() > 0 && System.currentTimeMillis() < end) {
                studio.deps().events().publish(new studio.server.jobs.JobEvents.Event("log", "x", Map.of("line", "tick"), false));
                assertTrue(studio.deps().events().drain(5_000), "the fan-out thread is stuck");
            }
            assertEquals(0, studio.deps().events().subscriberCount());
        }
    }

    @Test
    void theGlobalStreamCarriesEveryJob() throws Exception {
        try (Studio studio = TestStudio.open(dir, new FakeGenerator())) {
            JavalinTest.test(studio.app(), (server, client) -> {
                CompletableFuture<List<Sse>> stream = CompletableFuture.supplyAsync(() -> {
                    try {
                        return read(client.getOrigin() + "/api/events", "image", 2);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                long end = System.currentTimeMillis() + 5000;
                while (studio.deps().events().subscriberCount() == 0 && System.currentTimeMillis() < end) {
                    Thread.sleep(10);
                }
                String a = json(post(client, "/api/generate", Map.of("prompt", "one", "steps", 1))).path("id").asText();
                String b = json(post(client, "/api/data/stats", Map.of("dataset", "world"))).path("id").asText();
                String c = json(post(client, "/api/generate", Map.of("prompt", "two", "steps", 1))).path("id").asText();
                List<Sse> events = stream.get(20, TimeUnit.SECONDS);
                List<String> jobs = events.stream().filter(e -> e.event().equals("state")).map(e -> e.data().path("id").asText()).distinct().toList();
                assertTrue(jobs.containsAll(List.of(a, b, c)), jobs + " vs " + List.of(a, b, c));
            });
        }
    }
}
