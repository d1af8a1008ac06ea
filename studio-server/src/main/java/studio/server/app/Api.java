package studio.server.app;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.sse.SseClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The route table: registering a route here adds it to Javalin and to the OpenAPI 3 document served at
 * {@code /api/openapi.json}, so the document cannot drift from the routes. Schemas are plain maps (JSON Schema as
 * OpenAPI 3.0 uses it), written next to the handler that validates the same fields.
 */
public final class Api {
    /** One documented operation. */
    public record Operation(String method, String path, String tag, String summary, Map<String, Object> body,
                            Map<String, String> responses, String produces) {}

    private final RoutesConfig routes;
    private final List<Operation> operations = new ArrayList<>();
    private String tag = "studio";

    public Api(RoutesConfig routes) {
        this.routes = routes;
    }

    /** The tag (route family) of the operations registered next. */
    public Api tag(String name) {
        tag = name;
        return this;
    }

    public Api get(String path, String summary, Map<String, String> responses, Handler h) {
        routes.get(path, h);
        operations.add(new Operation("get", path, tag, summary, null, responses, "application/json"));
        return this;
    }

    /** A GET whose 200 is not JSON (an image). */
    public Api getFile(String path, String summary, String contentType, Handler h) {
        routes.get(path, h);
        operations.add(new Operation("get", path, tag, summary, null, Map.of("200", summary, "404", "not found"), contentType));
        return this;
    }

    public Api post(String path, String summary, Map<String, Object> body, Map<String, String> responses, Handler h) {
        routes.post(path, h);
        operations.add(new Operation("post", path, tag, summary, body, responses, "application/json"));
        return this;
    }

    public Api sse(String path, String summary, Consumer<SseClient> client) {
        routes.sse(path, client);
        operations.add(new Operation("get", path, tag, summary, null, Map.of("200", "server-sent events"),
                "text/event-stream"));
        return this;
    }

    /** A check run before the handlers of {@code path} (not documented: it belongs to the route it guards). */
    public Api before(String path, Handler h) {
        routes.before(path, h);
        return this;
    }

    public List<Operation> operations() {
        return List.copyOf(operations);
    }

    /** The OpenAPI 3.0 document of every registered operation. */
    public Map<String, Object> openApi(String version, boolean bearer) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Operation op : operations) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(op.path(), p -> new LinkedHashMap<>());
            item.put(op.method(), operation(op));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", Map.of("title", "PanCap Studio API", "version", version,
                "description", "Jobs run one at a time on the device worker; progress arrives as server-sent events."
                        + " Errors are JSON {error, field}."));
        doc.put("paths", paths);
        Map<String, Object> components = new LinkedHashMap<>();
        components.put("schemas", Map.of("Error", Schemas.object(List.of("error"),
                Map.of("error", Schemas.string("what is wrong"), "field", Schemas.string("the request field at fault, when one is")))));
        if (bearer) {
            components.put("securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer")));
            doc.put("security", List.of(Map.of("bearer", List.of())));
        }
        doc.put("components", components);
        return doc;
    }

    private static Map<String, Object> operation(Operation op) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("tags", List.of(op.tag()));
        o.put("summary", op.summary());
        o.put("operationId", op.method() + op.path().replaceAll("[^A-Za-z0-9]+", "_"));
        List<Map<String, Object>> params = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{(\\w+)}").matcher(op.path());
        while (m.find()) {
            params.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Schemas.string(null)));
        }
        if (!params.isEmpty()) {
            o.put("parameters", params);
        }
        if (op.body() != null) {
            o.put("requestBody", Map.of("required", true, "content", Map.of("application/json", Map.of("schema", op.body()))));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        op.responses().forEach((code, text) -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("description", text);
            if (code.startsWith("4") || code.startsWith("5")) {
                r.put("content", Map.of("application/json", Map.of("schema", Map.of("$ref", "#/components/schemas/Error"))));
            } else if (!op.produces().equals("application/json")) {
                r.put("content", Map.of(op.produces(), Map.of()));
            }
            responses.put(code, r);
        });
        o.put("responses", responses);
        return o;
    }
}
