package studio.server.routes;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.server.app.Api;
import studio.server.app.Deps;
import studio.server.app.Schemas;
import studio.server.jobs.JobKind;

/** {@code /api/health}, {@code /api/capabilities} and the OpenAPI document. */
public final class SystemRoutes {
    private SystemRoutes() {}

    public static void register(Api api, Deps deps) {
        api.tag("system")
                .get("/api/health", "liveness, version and queue fill", Schemas.ok("status"), ctx -> health(ctx, deps))
                .get("/api/capabilities", "the job kinds this build can run", Schemas.ok("capabilities"),
                        ctx -> ctx.json(capabilities()));
    }

    /** Registered last, so the document lists every route. */
    public static void registerOpenApi(Api api, Deps deps) {
        api.tag("system").get("/api/openapi.json", "this OpenAPI 3 document", Schemas.ok("the document"),
                ctx -> ctx.json(api.openApi(deps.version(), deps.settings().token() != null)));
    }

    private static void health(Context ctx, Deps deps) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("version", deps.version());
        m.put("queue", Map.of("waiting", deps.queue().waiting(), "capacity", deps.queue().capacity()));
        m.put("subscribers", deps.events().subscriberCount());
        ctx.json(m);
    }

    /** Evaluate appears here as its backend lands. */
    static Map<String, Object> capabilities() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobKinds", List.of(JobKind.GENERATE.wire(), JobKind.CHECK.wire(), JobKind.DATA_STATS.wire(),
                JobKind.DATA_VALIDATE.wire(), JobKind.TRAIN.wire(), JobKind.EVALUATE.wire()));
        m.put("train", true);
        m.put("evaluate", true);
        return m;
    }
}
