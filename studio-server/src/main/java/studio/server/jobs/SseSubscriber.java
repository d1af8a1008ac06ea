package studio.server.jobs;

import io.javalin.http.sse.SseClient;

/**
 * An SSE stream as a {@link JobEvents.Subscriber}. Writes are serialized (the snapshot sent by the HTTP thread and
 * the events sent by the fan-out thread never interleave). A per-job stream ends after the job's terminal state.
 */
public final class SseSubscriber implements JobEvents.Subscriber {
    private final SseClient client;
    private final String jobId;

    public SseSubscriber(SseClient client, String jobId) {
        this.client = client;
        this.jobId = jobId;
    }

    @Override
    public String jobId() {
        return jobId;
    }

    @Override
    public synchronized boolean deliver(JobEvents.Event e) {
        if (client.terminated()) {
            return false;
        }
        client.sendEvent(e.type(), e.data(), null);
        if (jobId != null && e.terminal()) {
            client.close();
            return false;
        }
        return !client.terminated();
    }

    @Override
    public synchronized boolean heartbeat() {
        if (client.terminated()) {
            return false;
        }
        client.sendComment("heartbeat");
        return !client.terminated();
    }
}
