package studio.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded loopback load test: 200 concurrent generate requests against a queue of 32 with a fast fake generator.
 * No crash, no lost job (every 202 ends done, every job in the database was answered 202), every rejection a 429
 * with a JSON body, and heap after a third identical round within a few MB of the second (flat memory; the first warms up).
 */
class LoadTest {
    static final int REQUESTS = 200;
    static final int QUEUE = 32;

    @TempDir
    Path dir;

    record Round(List<String> accepted, int rejected, long heapAfter, long millis) {}

    @Test
    void twoHundredConcurrentGeneratesAgainstAQueueOfThirtyTwo() throws Exception {
        FakeGenerator gen = new FakeGenerator();
        gen.stepMillis = 1;
        ServerSettings settings = new ServerSettings("127.0.0.1", null, ServerSettings.DEFAULT_MAX_BODY, QUEUE);
        java.util.concurrent.atomic.AtomicReference<String> figures = new java.util.concurrent.atomic.AtomicReference<>();
        try (Studio studio = TestStudio.open(dir, gen, settings)) {
            JavalinTest.test(studio.app(), (server, client) -> {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                Round warmUp = round(http, client.getOrigin(), studio); // JIT, Jetty and SQLite caches settle
                Round first = round(http, client.getOrigin(), studio);
                Round second = round(http, client.getOrigin(), studio);
                for (Round r : List.of(warmUp, first, second)) {
                    assertEquals(REQUESTS, r.accepted().size() + r.rejected());
                    assertTrue(r.accepted().size() >= QUEUE, "accepted " + r.accepted().size());
                    assertTrue(r.rejected() > 0, "the queue never filled: the test did not load it");
                }
                long total = studio.deps().store().countJobs(null);
                assertEquals(warmUp.accepted().size() + first.accepted().size() + second.accepted().size(), total);
                assertEquals(total, studio.deps().store().countJobs("done"));
                long growthMb = (second.heapAfter() - first.heapAfter()) / (1 << 20);
                figures.set(String.format("load: round 2 %d accepted / %d rejected in %d ms; round 3 %d / %d in %d ms;"
                                + " heap after round 2 %d MB, after round 3 %d MB",
                        first.accepted().size(), first.rejected(), first.millis(), second.accepted().size(),
                        second.rejected(), second.millis(), first.heapAfter() >> 20, second.heapAfter() >> 20));
                assertTrue(growthMb < 16, "heap grew " + growthMb + " MB between identical rounds");
                assertEquals(Set.of("device-worker"), gen.threads);
            });
        }
        System.out.println(figures.get()); // after JavalinTest, which captures output while it runs
    }

    private static Round round(HttpClient http, String origin, Studio studio) throws Exception {
        long t0 = System.currentTimeMillis();
        ExecutorService pool = Executors.newFixedThreadPool(REQUESTS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String body = "{\"prompt\":\"load " + i + "\",\"steps\":4,\"seed\":" + i + "}";
            futures.add(pool.submit(() -> {
                start.await();
                return http.send(HttpRequest.newBuilder(URI.create(origin + "/api/generate"))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            }));
        }
        start.countDown();
        List<String> accepted = new ArrayList<>();
        Set<Integer> codes = ConcurrentHashMap.newKeySet();
        int rejected = 0;
        for (Future<HttpResponse<String>> f : futures) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            codes.add(r.statusCode());
            JsonNode body = TestStudio.JSON.readTree(r.body());
            if (r.statusCode() == 202) {
                accepted.add(body.path("id").asText());
            } else {
                assertEquals(429, r.statusCode(), r.body());
                assertTrue(body.path("error").asText().contains("queue is full"), r.body());
                assertEquals(QUEUE, body.path("capacity").asInt());
                rejected++;
            }
        }
        pool.shutdown();
        assertTrue(Set.of(202, 429).containsAll(codes), codes.toString());
        long end = System.currentTimeMillis() + 60_000;
        while (studio.deps().queue().waiting() > 0 || studio.deps().store().countJobs("running") > 0) {
            assertTrue(System.currentTimeMillis() < end, "the queue did not drain");
            Thread.sleep(20);
        }
        long millis = System.currentTimeMillis() - t0;
        return new Round(accepted, rejected, usedHeapAfterGc(), millis);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
