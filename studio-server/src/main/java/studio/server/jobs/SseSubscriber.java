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
        if (client.terminated() || !requestAlive()) {
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
        if (client.terminated() || !requestAlive()) {
            return false;
        }
        client.sendComment("heartbeat");
        return !client.terminated();
    }

    /**
     * False once Jetty has recycled the stream's request (the HTTP server stopped, or it dropped the connection
     * before any write failed): writing then makes Javalin complete the request on this thread, where its error
     * handling fails on the recycled request again and again and the fan-out thread never returns
     * (EventsTest.streamsOfAStoppedServerAreDroppedQuietly).
     */
    private boolean requestAlive() {
        try {
            return client.ctx().req().getRequestURI() != null;
        } catch (RuntimeException recycled) { // Jetty's ServletApiRequest without its request: NullPointerException
            return false;
        }
    }
}
