package studio.server.jobs;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.core.BadInputException;
import studio.server.store.ImageRow;
import studio.server.store.JobRow;
import studio.server.store.Store;

/**
 * The bounded job queue and the single device worker thread (STYLE.md lesson 11, sd.cpp's async job manager).
 * Every {@link JobTask} runs on that one thread, which therefore owns every NDArray: DJL's grad mode is per thread
 * and its gradient collector process-global, so no two jobs ever touch the device at once. Handlers only validate
 * and {@link #submit}; at most {@code capacity} jobs wait (more is {@link QueueFullException}, HTTP 429).
 *
 * <p>Two lanes: short jobs (generate, check, dataset work) are taken before long ones (training, evaluation), and a
 * running long job runs the waiting short jobs at its step boundaries ({@link JobContext#yieldToShortJobs()}).
 */
public final class JobQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);
    /** Progress rows are written at most this often per job (every event is still published). */
    private static final long PROGRESS_WRITE_MS = 250;

    private final Store store;
    private final JobEvents events;
    private final int capacity;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final Deque<Job> shortLane = new ArrayDeque<>();
    private final Deque<Job> longLane = new ArrayDeque<>();
    private final Map<String, Job> running = new LinkedHashMap<>(); // a long job and the short job it yielded to
    private final Thread worker;
    private volatile boolean stopping;

    /** A job in memory while it waits or runs. */
    private static final class Job {
        final String id;
        final JobKind kind;
        final JobTask task;
        volatile boolean cancelRequested;

        Job(String id, JobKind kind, JobTask task) {
            this.id = id;
            this.kind = kind;
            this.task = task;
        }
    }

    public JobQueue(Store store, JobEvents events, int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be ≥ 1, got " + capacity);
        }
        this.store = store;
        this.events = events;
        this.capacity = capacity;
        this.clock = clock;
        this.worker = new Thread(this::workLoop, "device-worker");
        this.worker.setDaemon(true);
    }

    public JobQueue start() {
        worker.start();
        return this;
    }

    public int capacity() {
        return capacity;
    }

    /** Jobs waiting (not running). */
    public int waiting() {
        lock.lock();
        try {
            return shortLane.size() + longLane.size();
        } finally {
            lock.unlock();
        }
    }

    /** Stores the job as queued and hands it to the worker; throws {@link QueueFullException} when full. */
    public JobRow submit(JobKind kind, Map<String, Object> params, JobTask task) {
        lock.lock();
        try {
            if (stopping) {
                throw new IllegalStateException("the server is stopping");
            }
            if (shortLane.size() + longLane.size() >= capacity) {
                throw new QueueFullException(capacity);
            }
            Job job = new Job(UUID.randomUUID().toString(), kind, task);
            JobRow row = new JobRow(job.id, kind.wire(), JobState.QUEUED.wire(), params, null, null, 0, 0,
                    clock.millis(), 0, 0);
            store.insertJob(row);
            (kind.longRunning() ? longLane : shortLane).addLast(job);
            available.signal();
            publishState(job.id);
            return row;
        } finally {
            lock.unlock();
        }
    }

    /** The result of a cancel request. */
    public enum CancelOutcome { CANCELLED, CANCELLING, ALREADY_FINISHED, NOT_FOUND }

    /** A waiting job is removed and cancelled at once; a running one stops at its next step boundary. */
    public CancelOutcome cancel(String id) {
        lock.lock();
        try {
            for (Deque<Job> lane : java.util.List.of(shortLane, longLane)) {
                for (Job j : lane) {
                    if (j.id.equals(id)) {
                        lane.remove(j);
                        finish(j, JobState.CANCELLED, null, "cancelled before it started");
                        return CancelOutcome.CANCELLED;
                    }
                }
            }
            Job r = running.get(id);
            if (r != null) {
                r.cancelRequested = true;
                return CancelOutcome.CANCELLING;
            }
        } finally {
            lock.unlock();
        }
        return store.job(id).isPresent() ? CancelOutcome.ALREADY_FINISHED : CancelOutcome.NOT_FOUND;
    }

    private void workLoop() {
        while (!stopping) {
            Job next;
            lock.lock();
            try {
                while (shortLane.isEmpty() && longLane.isEmpty() && !stopping) {
                    available.awaitUninterruptibly();
                }
                if (stopping) {
                    return;
                }
                next = shortLane.isEmpty() ? longLane.pollFirst() : shortLane.pollFirst();
            } finally {
                lock.unlock();
            }
            run(next);
        }
    }

    private Job pollShort() {
        lock.lock();
        try {
            return shortLane.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Runs one job on the calling (worker) thread and records how it ended; never throws. */
    private void run(Job job) {
        lock.lock();
        try {
            running.put(job.id, job);
        } finally {
            lock.unlock();
        }
        store.markStarted(job.id, clock.millis());
        publishState(job.id);
        Context ctx = new Context(job);
        try {
            Map<String, Object> result = job.task.run(ctx);
            ctx.flushProgress();
            finish(job, JobState.DONE, result, null);
        } catch (JobCancelledException e) {
            ctx.flushProgress();
            if (job.cancelRequested) {
                finish(job, JobState.CANCELLED, null, "cancelled while running");
            } else { // stopped by the server's shutdown, not by a user: resumable like a crash (JobState)
                finish(job, JobState.INTERRUPTED, null, "the server stopped while this job ran");
            }
        } catch (BadInputException e) {
            ctx.flushProgress();
            finish(job, JobState.FAILED, null, e.getMessage());
        } catch (Throwable t) { // the worker must survive anything a job does (OOM of a tensor included)
            LOG.error("job {} ({}) failed", job.id, job.kind.wire(), t);
            ctx.flushProgress();
            finish(job, JobState.FAILED, null, "internal error: " + t);
        } finally {
            lock.lock();
            try {
                running.remove(job.id);
            } finally {
                lock.unlock();
            }
        }
    }

    private void finish(Job job, JobState state, Map<String, Object> result, String error) {
        store.markFinished(job.id, state.wire(), result, error, clock.millis());
        publishState(job.id);
    }

    private void publishState(String id) {
        store.job(id).ifPresent(row -> events.publish(new JobEvents.Event("state", id, JobJson.of(row),
                JobState.of(row.state()).terminal())));
    }

    /** The running job's window on the world. */
    private final class Context implements JobContext {
        private final Job job;
        private final long startedNanos = System.nanoTime();
        private long firstStepNanos = -1;
        private int firstStep;
        private long lastWriteMs;
        private int step;
        private int steps;
        private boolean unwritten;
        private Map<String, Object> detail = Map.of();

        Context(Job job) {
            this.job = job;
        }

        @Override
        public String jobId() {
            return job.id;
        }

        @Override
        public void progress(int step, int steps, String message) {
            long now = System.nanoTime();
            if (firstStepNanos < 0) {
                firstStepNanos = startedNanos;
                firstStep = 0;
            }
            this.step = step;
            this.steps = steps;
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("jobId", job.id); // the all-jobs stream (/api/events) carries every job's progress
            data.put("step", step);
            data.put("steps", steps);
            data.put("message", message);
            data.put("elapsedSeconds", (now - startedNanos) / 1e9);
            data.put("etaSeconds", eta(now, step, steps));
            data.putAll(detail); // a job that knows better wins (the trainer's ETA leaves out data preparation)
            events.publish(new JobEvents.Event("progress", job.id, data, false));
            unwritten = true;
            long ms = clock.millis();
            if (ms - lastWriteMs >= PROGRESS_WRITE_MS || step >= steps) {
                flushProgress();
                lastWriteMs = ms;
            }
        }

        private Double eta(long now, int step, int steps) {
            int done = step - firstStep;
            if (done <= 0 || steps <= 0) {
                return null;
            }
            double perStep = (now - firstStepNanos) / 1e9 / done;
            return perStep * Math.max(0, steps - step);
        }

        void flushProgress() {
            if (unwritten) {
                store.updateProgress(job.id, step, steps);
                unwritten = false;
            }
        }

        @Override
        public void log(String line) {
            store.appendLog(job.id, line, clock.millis());
            events.publish(new JobEvents.Event("log", job.id, Map.of("line", line), false));
        }

        @Override
        public void image(ImageRow image) {
            store.insertImage(image);
            events.publish(new JobEvents.Event("image", job.id, ImageJson.of(image), false));
        }

        @Override
        public void preview(String url, String caption) {
            events.publish(new JobEvents.Event("preview", job.id, Map.of("url", url, "caption", caption), false));
        }

        @Override
        public void metric(String runId, int step, String name, double value) {
            store.addMetric(runId, step, name, value, clock.millis());
        }

        @Override
        public void detail(Map<String, Object> fields) {
            detail = new LinkedHashMap<>(fields); // not Map.copyOf: null values (no validation image yet) are JSON too
        }

        @Override
        public boolean cancelRequested() {
            return job.cancelRequested || stopping;
        }

        @Override
        public int yieldToShortJobs() {
            if (!job.kind.longRunning()) {
                return 0;
            }
            int ran = 0;
            for (Job s = pollShort(); s != null; s = pollShort()) {
                run(s);
                ran++;
            }
            if (ran > 0) {
                log("paused at step " + step + " for " + ran + " short job" + (ran == 1 ? "" : "s"));
            }
            return ran;
        }
    }

    /** Stops taking jobs; the running one is asked to cancel. Jobs left queued are marked interrupted on the next start. */
    @Override
    public void close() {
        lock.lock();
        try {
            stopping = true;
            available.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
