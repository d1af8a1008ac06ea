package studio.server.jobs;

import java.util.Locale;

/**
 * What a job does, and which lane of the {@link JobQueue} it waits in: short jobs (a generation, a check, dataset
 * statistics) run before long ones, and a long job (training, evaluation) lets waiting short jobs run at its step
 * boundaries ({@link JobContext#yieldToShortJobs()}).
 */
public enum JobKind {
    GENERATE(false),
    CHECK(false),
    DATA_STATS(false),
    DATA_VALIDATE(false),
    TRAIN(true),
    EVALUATE(true);

    private final boolean longRunning;

    JobKind(boolean longRunning) {
        this.longRunning = longRunning;
    }

    public boolean longRunning() {
        return longRunning;
    }

    /** The name in the API and the database: {@code generate}, {@code data-stats}, … */
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
