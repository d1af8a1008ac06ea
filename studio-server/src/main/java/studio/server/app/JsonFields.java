package studio.server.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Set;
import studio.core.BadInputException;

/**
 * Reads a JSON request body field by field. Every problem is a {@link BadInputException} naming the field, which
 * the app answers as 400 {@code {error, field}}; unknown fields are refused too (a typo must not be ignored).
 */
public final class JsonFields {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonNode node;
    private final String prefix;

    private JsonFields(JsonNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    /** Parses a request body that must be one JSON object whose keys are all in {@code allowed}. */
    public static JsonFields parse(String body, Set<String> allowed) {
        JsonNode n;
        try {
            n = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (JsonProcessingException e) {
            throw new BadInputException("body", "not valid JSON: " + e.getOriginalMessage());
        }
        return of(n, "", allowed);
    }

    /** A nested object (e.g. one entry of {@code loras}); field names are reported as {@code prefix.name}. */
    public static JsonFields of(JsonNode n, String prefix, Set<String> allowed) {
        String where = prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1);
        if (n == null || !n.isObject()) {
            throw new BadInputException(where, "must be a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new BadInputException(prefix + name, "unknown field (expected one of " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
        return new JsonFields(n, prefix);
    }

    public JsonNode raw(String name) {
        return node.get(name);
    }

    private JsonNode present(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    public String field(String name) {
        return prefix + name;
    }

    /** A string of at most {@code maxLength} characters; null when absent and not required. */
    public String string(String name, boolean required, int maxLength) {
        JsonNode v = present(name);
        if (v == null) {
            if (required) {
                throw new BadInputException(field(name), "missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new BadInputException(field(name), "must be a string");
        }
        String s = v.asText();
        if (s.length() > maxLength) {
            throw new BadInputException(field(name), "longer than " + maxLength + " characters");
        }
        return s;
    }

    /** An integer in [min, max]; {@code fallback} when absent (null fallback: stays null). */
    public Long integer(String name, Long fallback, long min, long max) {
        JsonNode v = present(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new BadInputException(field(name), "must be an integer");
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw new BadInputException(field(name), "must be in " + min + ".." + max + ", got " + x);
        }
        return x;
    }

    /** A finite number in [min, max]; {@code fallback} when absent. */
    public double number(String name, double fallback, double min, double max) {
        JsonNode v = present(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new BadInputException(field(name), "must be a finite number");
        }
        double x = v.asDouble();
        if (x < min || x > max) {
            throw new BadInputException(field(name), "must be in " + min + ".." + max + ", got " + x);
        }
        return x;
    }

    public boolean bool(String name, boolean fallback) {
        JsonNode v = present(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new BadInputException(field(name), "must be true or false");
        }
        return v.asBoolean();
    }

    /** An array of at most {@code maxItems}; empty when absent. */
    public JsonNode array(String name, int maxItems) {
        JsonNode v = present(name);
        if (v == null) {
            return JSON.createArrayNode();
        }
        if (!v.isArray()) {
            throw new BadInputException(field(name), "must be an array");
        }
        if (v.size() > maxItems) {
            throw new BadInputException(field(name), "at most " + maxItems + " entries");
        }
        return v;
    }
}
