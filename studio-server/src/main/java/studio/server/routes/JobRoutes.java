package studio.server.routes;

import io.javalin.http.Context;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.server.app.Api;
import studio.server.app.Deps;
import studio.server.app.Roots;
import studio.server.app.Schemas;
import studio.server.jobs.ImageJson;
import studio.server.jobs.JobJson;
import studio.server.jobs.JobQueue;
import studio.server.store.ImageRow;
import studio.server.store.JobRow;
import studio.server.store.Store;

/** The job list, one job, cancel, logs and a job's files (check overlays). */
public final class JobRoutes {
    private JobRoutes() {}

    public static void register(Api api, Deps deps) {
        api.tag("jobs")
                .get("/api/jobs", "jobs, newest first (?limit, ?offset)", Schemas.ok("jobs"), ctx -> list(ctx, deps))
                .get("/api/jobs/{id}", "one job with its images", Schemas.okOr404("the job"), ctx -> one(ctx, deps))
                .post("/api/jobs/{id}/cancel", "cancel a waiting or running job", null,
                        Map.of("200", "outcome", "404", "no such job"), ctx -> cancel(ctx, deps))
                .get("/api/jobs/{id}/logs", "log lines after ?after (a sequence number)", Schemas.okOr404("lines"),
                        ctx -> logs(ctx, deps))
                .getFile("/api/jobs/{id}/files/{name}", "a file a job wrote (e.g. overlay.png)", "image/png",
                        ctx -> file(ctx, deps));
    }

    private static void list(Context ctx, Deps deps) {
        int limit = Requests.queryInt(ctx, "limit", 50, 1, 500);
        int offset = Requests.queryInt(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (JobRow j : deps.store().jobs(limit, offset)) {
            jobs.add(JobJson.of(j));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobs", jobs);
        m.put("total", deps.store().countJobs(null));
        m.put("waiting", deps.queue().waiting());
        m.put("capacity", deps.queue().capacity());
        ctx.json(m);
    }

    static JobRow job(Store store, String id) {
        return store.job(id).orElseThrow(() -> Requests.notFound("job", id));
    }

    private static void one(Context ctx, Deps deps) {
        JobRow j = job(deps.store(), Requests.id(ctx, "id"));
        Map<String, Object> m = JobJson.of(j);
        List<Map<String, Object>> images = new ArrayList<>();
        for (ImageRow i : deps.store().imagesOfJob(j.id())) {
            images.add(ImageJson.of(i));
        }
        m.put("images", images);
        ctx.json(m);
    }

    private static void cancel(Context ctx, Deps deps) {
        String id = Requests.id(ctx, "id");
        JobQueue.CancelOutcome outcome = deps.queue().cancel(id);
        if (outcome == JobQueue.CancelOutcome.NOT_FOUND) {
            throw Requests.notFound("job", id);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        m.put("job", JobJson.of(job(deps.store(), id)));
        ctx.json(m);
    }

    private static void logs(Context ctx, Deps deps) {
        String id = job(deps.store(), Requests.id(ctx, "id")).id();
        int after = Requests.queryInt(ctx, "after", 0, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (Store.LogLine l : deps.store().logs(id, after, 1000)) {
            lines.add(Map.of("seq", l.seq(), "atMs", l.atMs(), "line", l.line()));
        }
        ctx.json(Map.of("lines", lines));
    }

    private static void file(Context ctx, Deps deps) throws java.io.IOException {
        String id = job(deps.store(), Requests.id(ctx, "id")).id();
        Path dir = deps.roots().jobFiles(id);
        if (!Files.isDirectory(dir)) {
            throw Requests.notFound("file", ctx.pathParam("name"));
        }
        Path file = Roots.confine(dir.toRealPath(), ctx.pathParam("name"), "name");
        sendPng(ctx, file);
    }

    static void sendPng(Context ctx, Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file) || !file.getFileName().toString().endsWith(".png")) {
            throw Requests.notFound("file", file.getFileName().toString());
        }
        InputStream in = Files.newInputStream(file);
        ctx.contentType("image/png").header("Cache-Control", "private, max-age=3600").result(in);
    }
}
