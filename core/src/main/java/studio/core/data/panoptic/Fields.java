package studio.core.data.panoptic;

import com.fasterxml.jackson.databind.JsonNode;

/** Strict field getters for untrusted JSON: each names the field path and what was expected. */
final class Fields {
    private Fields() {}

    static String string(JsonNode n, String path, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new FieldException(path + "." + field + ": expected a string");
        }
        return v.asText();
    }

    static long positiveLong(JsonNode n, String path, String field) {
        long v = integral(n, path, field);
        if (v <= 0) {
            throw new FieldException(path + "." + field + ": expected a positive integer, got " + v);
        }
        return v;
    }

    static long nonNegativeLong(JsonNode n, String path, String field) {
        long v = integral(n, path, field);
        if (v < 0) {
            throw new FieldException(path + "." + field + ": expected a non-negative integer, got " + v);
        }
        return v;
    }

    static int positiveInt(JsonNode n, String path, String field) {
        long v = positiveLong(n, path, field);
        if (v > Integer.MAX_VALUE) {
            throw new FieldException(path + "." + field + ": " + v + " is too large");
        }
        return (int) v;
    }

    /** 0 or 1 (JSON booleans are accepted too, as some converters write them). */
    static int flag(JsonNode n, String path, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v != null && v.isBoolean()) {
            return v.asBoolean() ? 1 : 0;
        }
        if (v == null && !required) {
            return 0;
        }
        long value = integral(n, path, field);
        if (value != 0 && value != 1) {
            throw new FieldException(path + "." + field + ": expected 0 or 1, got " + value);
        }
        return (int) value;
    }

    /** {@code [x, y, w, h]}, integers (COCO writes them as numbers that may carry a ".0"). */
    static studio.core.data.panoptic.BBox bbox(JsonNode n, String path) {
        JsonNode v = n.get("bbox");
        if (v == null || !v.isArray() || v.size() != 4) {
            throw new FieldException(path + ".bbox: expected [x, y, width, height]");
        }
        int[] xywh = new int[4];
        for (int i = 0; i < 4; i++) {
            JsonNode c = v.get(i);
            if (!c.isNumber() || c.asDouble() != Math.rint(c.asDouble()) || c.asDouble() < 0 || c.asDouble() > Integer.MAX_VALUE) {
                throw new FieldException(path + ".bbox[" + i + "]: expected a non-negative integer, got " + c);
            }
            xywh[i] = (int) c.asDouble();
        }
        return new studio.core.data.panoptic.BBox(xywh[0], xywh[1], xywh[2], xywh[3]);
    }

    private static long integral(JsonNode n, String path, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new FieldException(path + "." + field + ": missing");
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.asLong();
        }
        if (v.isFloatingPointNumber() && v.asDouble() == Math.rint(v.asDouble()) && Math.abs(v.asDouble()) < 1e15) {
            return (long) v.asDouble();
        }
        throw new FieldException(path + "." + field + ": expected an integer, got " + v);
    }
}
