package studio.server.app;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.core.BadInputException;
import studio.server.jobs.QueueFullException;
import studio.server.routes.CheckRoutes;
import studio.server.routes.DataRoutes;
import studio.server.routes.EvaluateRoutes;
import studio.server.routes.EventRoutes;
import studio.server.routes.GenerateRoutes;
import studio.server.routes.JobRoutes;
import studio.server.routes.ModelRoutes;
import studio.server.routes.SystemRoutes;
import studio.server.routes.TrainRoutes;

/**
 * The app factory (STYLE.md lesson 11): {@code create(deps)} returns a configured, unstarted {@link Javalin}; tests
 * hand it to JavalinTest, {@code studio serve} starts it. Route families are registered by one static function
 * each; handlers validate and enqueue and never touch tensors. Errors are JSON {@code {error, field}}.
 */
public final class App {
    private static final Logger LOG = LoggerFactory.getLogger(App.class);
    /** Where the web module puts the bundled front end on the classpath. */
    static final String PUBLIC = "/public";

    private App() {}

    public static Javalin create(Deps deps) {
        return Javalin.create(config -> configure(config, deps));
    }

    private static void configure(JavalinConfig config, Deps deps) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.jsonMapper(new JavalinJackson(JavalinJackson.defaultMapper(), false));
        config.http.maxRequestSize = deps.settings().maxBodyBytes();
        config.router.ignoreTrailingSlashes = true;
        if (App.class.getResource(PUBLIC + "/index.html") != null) {
            config.staticFiles.add(PUBLIC, Location.CLASSPATH);
        }
        Security security = new Security(deps.settings());
        config.routes.before("/api/*", security::check);
        config.routes.after(App::securityHeaders);
        errors(config);
        Api api = new Api(config.routes);
        SystemRoutes.register(api, deps);
        JobRoutes.register(api, deps);
        EventRoutes.register(api, deps);
        GenerateRoutes.register(api, deps);
        CheckRoutes.register(api, deps);
        DataRoutes.register(api, deps);
        ModelRoutes.register(api, deps);
        TrainRoutes.register(api, deps);
        EvaluateRoutes.register(api, deps);
        SystemRoutes.registerOpenApi(api, deps);
    }

    private static void errors(JavalinConfig config) {
        config.routes.exception(BadInputException.class, (e, ctx) ->
                error(ctx, 400, e.getMessage(), fieldOf(e)));
        config.routes.exception(QueueFullException.class, (e, ctx) -> {
            ctx.header("Retry-After", "2");
            Map<String, Object> body = body(e.getMessage(), null);
            body.put("capacity", e.capacity());
            ctx.status(429).json(body);
        });
        config.routes.exception(HttpResponseException.class, (e, ctx) ->
                error(ctx, e.getStatus(), e.getMessage(), e.getStatus() == 413 ? "body" : null));
        config.routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error: " + e.getClass().getSimpleName(), null);
        });
    }

    /** The field a BadInputException names: its {@code where} without any value after a space ({@code --model x}). */
    private static String fieldOf(BadInputException e) {
        String where = e.where();
        int space = where.indexOf(' ');
        return space > 0 ? where.substring(0, space) : where;
    }

    public static void error(Context ctx, int status, String message, String field) {
        ctx.status(status).json(body(message, field));
    }

    private static Map<String, Object> body(String message, String field) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("field", field);
        return m;
    }

    private static void securityHeaders(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'");
    }
}
