package studio.server.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders for the JSON Schemas of the OpenAPI document. */
public final class Schemas {
    private Schemas() {}

    public static Map<String, Object> object(List<String> required, Map<String, Object> properties) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "object");
        if (!required.isEmpty()) {
            m.put("required", required);
        }
        m.put("properties", new java.util.TreeMap<>(properties));
        m.put("additionalProperties", false);
        return m;
    }

    public static Map<String, Object> string(String description) {
        return typed("string", description);
    }

    public static Map<String, Object> integer(long min, long max, String description) {
        Map<String, Object> m = typed("integer", description);
        m.put("minimum", min);
        m.put("maximum", max);
        return m;
    }

    public static Map<String, Object> number(double min, double max, String description) {
        Map<String, Object> m = typed("number", description);
        m.put("minimum", min);
        m.put("maximum", max);
        return m;
    }

    public static Map<String, Object> array(Map<String, Object> items, int maxItems) {
        Map<String, Object> m = typed("array", null);
        m.put("items", items);
        m.put("maxItems", maxItems);
        return m;
    }

    private static Map<String, Object> typed(String type, String description) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        if (description != null) {
            m.put("description", description);
        }
        return m;
    }

    /** Common response sets. */
    public static Map<String, String> accepted() {
        return Map.of("202", "the job, queued", "400", "invalid field", "429", "the queue is full");
    }

    public static Map<String, String> ok(String what) {
        return Map.of("200", what);
    }

    public static Map<String, String> okOr404(String what) {
        return Map.of("200", what, "404", "no such entry");
    }
}
