package studio.server.routes;

import io.javalin.http.sse.SseClient;
import studio.server.app.Api;
import studio.server.app.Deps;
import studio.server.jobs.JobEvents;
import studio.server.jobs.JobJson;
import studio.server.jobs.JobState;
import studio.server.jobs.SseSubscriber;
import studio.server.store.JobRow;

/**
 * Server-sent events: {@code /api/events} streams every job's events; {@code /api/jobs/{id}/events} one job's,
 * starting with its current state and ending after its terminal state. Event names: {@code state} (the whole
 * job), {@code progress} (step, steps, etaSeconds, elapsedSeconds, message), {@code log}, {@code image},
 * {@code preview} (url, caption).
 */
public final class EventRoutes {
    private EventRoutes() {}

    public static void register(Api api, Deps deps) {
        api.tag("events")
                // a plain 404 before the stream starts, not an error inside it
                .before("/api/jobs/{id}/events", ctx -> JobRoutes.job(deps.store(), Requests.id(ctx, "id")))
                .sse("/api/events", "every job's events", client -> all(client, deps))
                .sse("/api/jobs/{id}/events", "one job's events, from its current state to its end",
                        client -> one(client, deps));
    }

    private static void all(SseClient client, Deps deps) {
        SseSubscriber s = new SseSubscriber(client, null);
        client.keepAlive();
        client.onClose(() -> deps.events().unsubscribe(s));
        deps.events().subscribe(s);
        client.sendComment("connected");
    }

    private static void one(SseClient client, Deps deps) {
        JobRow job = JobRoutes.job(deps.store(), Requests.id(client.ctx(), "id"));
        SseSubscriber s = new SseSubscriber(client, job.id());
        client.keepAlive();
        client.onClose(() -> deps.events().unsubscribe(s));
        deps.events().subscribe(s); // before the snapshot: nothing between them is lost (a state may come twice)
        JobRow now = JobRoutes.job(deps.store(), job.id());
        boolean terminal = JobState.of(now.state()).terminal();
        s.deliver(new JobEvents.Event("state", now.id(), JobJson.of(now), terminal));
        if (terminal) {
            deps.events().unsubscribe(s);
        }
    }
}
