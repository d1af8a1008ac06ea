package studio.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.server.store.JobRow;
import studio.server.store.Store;

/** The queue and its single device worker: lanes, yielding, limits, failures and restarts. */
class JobQueueTest {
    @TempDir
    Path dir;
    Store store;
    JobEvents events;
    JobQueue queue;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("studio.db"));
        events = new JobEvents(1024);
        queue = new JobQueue(store, events, 4, Clock.systemUTC()).start();
    }

    @AfterEach
    void close() {
        queue.close();
        events.close();
        store.close();
    }

    JobRow await(String id) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end) {
            JobRow j = store.job(id).orElseThrow();
            if (JobState.of(j.state()).terminal()) {
                return j;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    @Test
    void everyJobRunsOnTheOneDeviceThreadAndTheQueueIsBounded() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        JobTask task = ctx -> {
            threads.add(Thread.currentThread().getName());
            gate.await(10, TimeUnit.SECONDS);
            return Map.of();
        };
        String first = queue.submit(JobKind.GENERATE, Map.of(), task).id();
        long end = System.currentTimeMillis() + 5000;
        while (!"running".equals(store.job(first).orElseThrow().state()) && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        for (int i = 0; i < 4; i++) {
            queue.submit(JobKind.GENERATE, Map.of(), task);
        }
        QueueFullException full = assertThrows(QueueFullException.class, () -> queue.submit(JobKind.GENERATE, Map.of(), task));
        assertEquals(4, full.capacity());
        gate.countDown();
        for (JobRow j : store.jobs(10, 0)) {
            assertEquals("done", await(j.id()).state());
        }
        assertEquals(Set.of("device-worker"), threads);
        assertEquals(5, store.countJobs("done"));
    }

    @Test
    void aLongJobLetsWaitingShortJobsRunAtItsStepBoundaries() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch shortQueued = new CountDownLatch(1);
        JobTask training = ctx -> {
            for (int step = 1; step <= 3; step++) {
                order.add("train " + step);
                if (step == 1) {
                    shortQueued.await(10, TimeUnit.SECONDS);
                }
                ctx.progress(step, 3, "step");
                ctx.yieldToShortJobs();
            }
            return Map.of();
        };
        String train = queue.submit(JobKind.TRAIN, Map.of(), training).id();
        while (order.isEmpty()) {
            Thread.sleep(2);
        }
        String gen = queue.submit(JobKind.GENERATE, Map.of(), ctx -> {
            order.add("generate");
            return Map.of();
        }).id();
        shortQueued.countDown();
        assertEquals("done", await(train).state());
        assertEquals("done", await(gen).state());
        assertEquals(List.of("train 1", "generate", "train 2", "train 3"), order);
        assertTrue(store.logs(train, 0, 10).get(0).line().contains("paused at step 1 for 1 short job"));
    }

    @Test
    void shortJobsAreTakenBeforeLongOnes() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        String blocker = queue.submit(JobKind.CHECK, Map.of(), ctx -> {
            gate.await(10, TimeUnit.SECONDS);
            return Map.of();
        }).id();
        String eval = queue.submit(JobKind.EVALUATE, Map.of(), ctx -> order.add("evaluate") ? Map.of() : Map.of()).id();
        String stats = queue.submit(JobKind.DATA_STATS, Map.of(), ctx -> order.add("stats") ? Map.of() : Map.of()).id();
        gate.countDown();
        await(blocker);
        await(eval);
        await(stats);
        assertEquals(List.of("stats", "evaluate"), order);
    }

    @Test
    void failuresEndTheJobNotTheWorker() throws Exception {
        String bad = queue.submit(JobKind.GENERATE, Map.of(), ctx -> {
            throw new BadInputException("width", "not a multiple of 16");
        }).id();
        String broken = queue.submit(JobKind.GENERATE, Map.of(), ctx -> {
            throw new OutOfMemoryError("device memory");
        }).id();
        String fine = queue.submit(JobKind.GENERATE, Map.of(), ctx -> Map.of("ok", true)).id();
        JobRow b = await(bad);
        assertEquals("failed", b.state());
        assertEquals("width: not a multiple of 16", b.error());
        assertTrue(await(broken).error().startsWith("internal error: java.lang.OutOfMemoryError"));
        JobRow f = await(fine);
        assertEquals("done", f.state());
        assertEquals(Map.of("ok", true), f.result());
    }

    @Test
    void aJobStoppedByTheShutdownIsInterruptedAndOneStoppedByItsUserCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        JobTask steps = ctx -> {
            started.countDown();
            for (int step = 1; ; step++) {
                ctx.progress(step, 1_000_000, "step");
                ctx.checkCancelled();
                ctx.yieldToShortJobs();
                Thread.sleep(2);
            }
        };
        String cancelled = queue.submit(JobKind.TRAIN, Map.of(), steps).id();
        while (!"running".equals(store.job(cancelled).orElseThrow().state())) {
            Thread.sleep(2);
        }
        assertEquals(JobQueue.CancelOutcome.CANCELLING, queue.cancel(cancelled));
        assertEquals("cancelled", await(cancelled).state());
        String interrupted = queue.submit(JobKind.TRAIN, Map.of(), steps).id();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        queue.close();
        JobRow j = store.job(interrupted).orElseThrow();
        assertEquals("interrupted", j.state(), "resumable like a crash, not the user's cancel");
        assertTrue(j.error().contains("server stopped"), j.error());
    }

    @Test
    void aRestartMarksUnfinishedJobsInterruptedAndKeepsTheRest() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        String done = queue.submit(JobKind.GENERATE, Map.of("prompt", "kept"), ctx -> Map.of("n", 1)).id();
        await(done);
        String running = queue.submit(JobKind.TRAIN, Map.of(), ctx -> {
            gate.await(10, TimeUnit.SECONDS);
            return Map.of();
        }).id();
        long end = System.currentTimeMillis() + 5000;
        while (!"running".equals(store.job(running).orElseThrow().state()) && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        String waiting = queue.submit(JobKind.GENERATE, Map.of(), ctx -> Map.of()).id();
        // a crash: the database is reopened by a new process while the rows still say running / queued
        try (Store reopened = Store.open(dir.resolve("studio.db"))) {
            assertEquals(2, reopened.markUnfinishedInterrupted(System.currentTimeMillis()));
            assertEquals("interrupted", reopened.job(running).orElseThrow().state());
            assertEquals("interrupted", reopened.job(waiting).orElseThrow().state());
            JobRow kept = reopened.job(done).orElseThrow();
            assertEquals("done", kept.state());
            assertEquals("kept", kept.params().get("prompt"));
        }
        gate.countDown();
    }
}
