package studio.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import studio.core.BadInputException;

/**
 * Configs are small JSON records (STYLE.md lesson 10: nanoGPT's config files plus {@code --key=value}
 * overrides, k-diffusion's JSON merged over defaults). A config is read in three layers:
 * <ol>
 *   <li>the preset: a complete JSON object holding every field (a classpath resource or a file),</li>
 *   <li>the user's file, whose keys must all exist in the preset (an unknown key is an error),</li>
 *   <li>{@code --set key=value} overrides, dotted for nested objects ({@code optimizer.lr=1e-4}); the
 *       value is read as JSON when it parses ({@code 3}, {@code true}, {@code [1,2]}), else as a string.</li>
 * </ol>
 * The merged tree is bound to a record with unknown properties refused, so a typo never passes
 * silently. {@link #toJson} gives the resolved config to print once and store with every output.
 */
public final class Configs {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Configs() {}

    /** Reads a JSON object from a classpath resource (a preset shipped with the code). */
    public static ObjectNode resource(Class<?> anchor, String name) {
        try (InputStream in = anchor.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("preset resource " + name + " is missing next to " + anchor.getName());
            }
            return asObject(JSON.readTree(in), name);
        } catch (IOException e) {
            throw new IllegalStateException("preset resource " + name + " is not valid JSON", e);
        }
    }

    /** Reads a JSON object from a user file; a missing or malformed file is bad input naming it. */
    public static ObjectNode file(Path path) {
        try {
            return asObject(JSON.readTree(Files.readAllBytes(path)), path.toString());
        } catch (NoSuchFileException e) {
            throw new BadInputException(path.toString(), "no such config file");
        } catch (JsonProcessingException e) {
            throw new BadInputException(path + ":" + e.getLocation().getLineNr(),
                    "invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadInputException(path.toString(), "cannot read: " + e.getMessage());
        }
    }

    /**
     * {@code preset}, then {@code user} (may be null), then {@code sets}, bound to {@code type}.
     *
     * @param source names the user's config in errors (its path, or "--set")
     */
    public static <T> T resolve(ObjectNode preset, ObjectNode user, List<String> sets, Class<T> type, String source) {
        ObjectNode merged = preset.deepCopy();
        if (user != null) {
            merge(merged, user, source, "");
        }
        for (String set : sets) {
            applySet(merged, set);
        }
        try {
            return JSON.treeToValue(merged, type);
        } catch (UnrecognizedPropertyException e) {
            throw new BadInputException(source, "unknown key '" + e.getPropertyName() + "'");
        } catch (JsonProcessingException e) {
            throw new BadInputException(source, "wrong value: " + e.getOriginalMessage());
        }
    }

    /** The resolved config as indented JSON (printed once at the start, stored with every output). */
    public static String toJson(Object config) {
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("config " + config.getClass().getName() + " cannot be written", e);
        }
    }

    /** Reads back a config stored by {@link #toJson} (e.g. from a checkpoint's metadata). */
    public static <T> T fromJson(String json, Class<T> type, String source) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new BadInputException(source, "stored config does not fit " + type.getSimpleName()
                    + ": " + e.getOriginalMessage());
        }
    }

    private static void merge(ObjectNode into, JsonNode from, String source, String path) {
        Iterator<Map.Entry<String, JsonNode>> fields = asObject(from, source).fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
            JsonNode current = into.get(f.getKey());
            if (current == null) {
                throw new BadInputException(source, "unknown key '" + key + "'");
            }
            if (current.isObject() && f.getValue().isObject()) {
                merge((ObjectNode) current, f.getValue(), source, key);
            } else {
                into.set(f.getKey(), f.getValue());
            }
        }
    }

    private static void applySet(ObjectNode root, String set) {
        int eq = set.indexOf('=');
        if (eq <= 0) {
            throw new BadInputException("--set " + set, "expected key=value");
        }
        String key = set.substring(0, eq).trim();
        String[] parts = key.split("\\.", -1);
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null || !child.isObject()) {
                throw new BadInputException("--set " + set, "unknown key '" + key + "'");
            }
            node = (ObjectNode) child;
        }
        String last = parts[parts.length - 1];
        if (!node.has(last)) {
            throw new BadInputException("--set " + set, "unknown key '" + key + "'");
        }
        node.set(last, parseValue(set.substring(eq + 1)));
    }

    private static JsonNode parseValue(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    private static ObjectNode asObject(JsonNode node, String source) {
        if (node == null || !node.isObject()) {
            throw new BadInputException(source, "a config must be a JSON object");
        }
        return (ObjectNode) node;
    }
}
