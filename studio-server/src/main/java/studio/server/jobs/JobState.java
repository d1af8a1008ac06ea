package studio.server.jobs;

import java.util.Locale;

/**
 * A job's life: queued → running → done | failed | cancelled. A job that was queued or running when the server
 * stopped is {@code interrupted} on the next start (its outputs so far stay readable).
 */
public enum JobState {
    QUEUED, RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED;

    public boolean terminal() {
        return this != QUEUED && this != RUNNING;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobState of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
