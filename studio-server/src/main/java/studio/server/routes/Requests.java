package studio.server.routes;

import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import studio.core.BadInputException;

/** Small helpers shared by the route families. */
final class Requests {
    private Requests() {}

    /** An optional integer query parameter in [min, max]. */
    static int queryInt(Context ctx, String name, int fallback, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int x = Integer.parseInt(v.trim());
            if (x < min || x > max) {
                throw new BadInputException(name, "must be in " + min + ".." + max + ", got " + x);
            }
            return x;
        } catch (NumberFormatException e) {
            throw new BadInputException(name, "must be an integer, got '" + v + "'");
        }
    }

    /** A path id of letters, digits and '-' (job and image ids); anything else cannot exist. */
    static String id(Context ctx, String name) {
        String id = ctx.pathParam(name);
        if (!id.matches("[A-Za-z0-9-]{1,80}")) {
            throw new NotFoundResponse("no such " + name + " '" + id + "'");
        }
        return id;
    }

    static NotFoundResponse notFound(String what, String id) {
        return new NotFoundResponse("no such " + what + " '" + id + "'");
    }
}
