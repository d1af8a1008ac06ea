package studio.server.jobs;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out of job events to subscribers (the SSE streams). Publishing never blocks the device worker: events go
 * into a bounded queue that one daemon thread delivers; when it is full (a stalled client, a flood of progress)
 * the event is dropped and counted. Events are notifications; the database stays the truth, and every state
 * event carries the whole job, so a client that missed some catches up with the next one.
 */
public final class JobEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobEvents.class);

    /** One event: its SSE name ({@code state}, {@code progress}, {@code log}, {@code image}, {@code preview}), the job, the payload. */
    public record Event(String type, String jobId, Map<String, Object> data, boolean terminal) {}

    /** A receiver; {@code deliver} returns false once it is closed, and it is then dropped. */
    public interface Subscriber {
        /** null for every job. */
        String jobId();

        boolean deliver(Event event);

        /** Called when nothing was delivered for a while, so dead connections are noticed; false = closed. */
        boolean heartbeat();
    }

    /** Quiet subscribers get a heartbeat this often. */
    static final long HEARTBEAT_MS = 15_000;

    private final BlockingQueue<Event> pending;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread deliverer;
    private volatile boolean closed;

    public JobEvents(int bufferSize) {
        pending = new ArrayBlockingQueue<>(bufferSize);
        deliverer = new Thread(this::deliverLoop, "job-events");
        deliverer.setDaemon(true);
        deliverer.start();
    }

    public void publish(Event e) {
        if (!pending.offer(e)) {
            long n = dropped.incrementAndGet();
            if (Long.bitCount(n) == 1) { // 1, 2, 4, 8, … : visible, not a log flood
                LOG.warn("{} job events dropped so far (subscribers too slow)", n);
            }
        }
    }

    public void subscribe(Subscriber s) {
        subscribers.add(s);
    }

    public void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    public long droppedCount() {
        return dropped.get();
    }

    private void deliverLoop() {
        long lastBeat = System.currentTimeMillis();
        while (!closed) {
            Event e;
            try {
                e = pending.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                return;
            }
            if (System.currentTimeMillis() - lastBeat >= HEARTBEAT_MS) {
                subscribers.removeIf(s -> !safely(s::heartbeat));
                lastBeat = System.currentTimeMillis();
            }
            if (e == null) {
                continue;
            }
            for (Subscriber s : subscribers) {
                if (s.jobId() != null && !s.jobId().equals(e.jobId())) {
                    continue;
                }
                boolean alive;
                try {
                    alive = s.deliver(e);
                } catch (RuntimeException ex) {
                    alive = false;
                }
                if (!alive) {
                    subscribers.remove(s);
                }
            }
        }
    }

    private static boolean safely(java.util.function.BooleanSupplier call) {
        try {
            return call.getAsBoolean();
        } catch (RuntimeException ex) {
            return false;
        }
    }

    /** Waits up to {@code millis} until every published event has been handed to the subscribers (tests). */
    public boolean drain(long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!pending.isEmpty() && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        return pending.isEmpty();
    }

    @Override
    public void close() {
        closed = true;
        deliverer.interrupt();
    }
}
