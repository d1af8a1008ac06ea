package studio.server.store;

import java.util.Map;

/**
 * One run (a training run; evaluation runs later): its id (the job that started it), the job now working on it (a
 * resume is a new job on the same run), a display name and the resolved config it was started with.
 */
public record RunRow(String id, String jobId, String kind, String name, Map<String, Object> config, long createdMs) {

    public RunRow {
        config = config == null ? Map.of() : config;
    }
}
