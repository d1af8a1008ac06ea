package studio.server.work;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import studio.core.BadInputException;
import studio.core.config.Configs;
import studio.diffusion.train.TrainConfig;
import studio.diffusion.train.TrainTask;
import studio.server.app.JsonFields;
import studio.server.app.Roots;

/**
 * A training request of the web UI, turned into the config {@code studio train} would run: the trainer's preset, then a
 * preset file of {@code configs/train/} (as {@code --config}), then the request's {@code config} object and its
 * {@code set} overrides (as {@code --set}), resolved by {@link Configs} and checked by {@link TrainConfig#check()}.
 * Every problem is a 400 naming the request field ({@code set.optimizer.lr}, {@code config.lora.rank}, {@code preset},
 * {@code dataset}).
 *
 * <p>Paths are the server's: the run folder is {@code runs/<run id>} under the home, the dataset a folder under the
 * dataset root, the latent / text cache {@code runs/cache}; model references ({@code model.path}, {@code vae:…},
 * {@code sd3:…}) are names under the models root (a leading {@code models/}, as the presets write them relative to the
 * installation, is the models root itself). A request cannot set those keys.
 */
public final class TrainSpec {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> FIELDS = Set.of("preset", "config", "set", "dataset", "name");
    public static final Set<String> RESUME_FIELDS = Set.of("set");
    /** Keys the server decides (a request setting one, or a key under one, is refused with the reason). */
    static final Map<String, String> OWNED = Map.of(
            "output_dir", "the run folder is chosen by the server (runs/<run id> under the home)",
            "data.dir", "the dataset is chosen by the 'dataset' field (a folder under the dataset root)",
            "data.world", "the server trains on existing datasets (make a world with studio world)",
            "encoders.cache_dir", "the server's cache is runs/cache under the home");

    private final String name;
    private final String preset;
    private final String dataset;
    private final ObjectNode config;
    private final Map<String, Object> params;

    private TrainSpec(String name, String preset, String dataset, ObjectNode config, Map<String, Object> params) {
        this.name = name;
        this.preset = preset;
        this.dataset = dataset;
        this.config = config;
        this.params = params;
    }

    /** The run's display name. */
    public String name() {
        return name;
    }

    public String preset() {
        return preset;
    }

    public String dataset() {
        return dataset;
    }

    /** The resolved config with the server's paths, except output_dir (the run id is the job's, known when it starts). */
    public ObjectNode config() {
        return config.deepCopy();
    }

    /** The request as the job stores it. */
    public Map<String, Object> params() {
        return params;
    }

    /** Parses and validates {@code POST /api/train}. */
    public static TrainSpec parse(String body, Roots roots) {
        JsonFields f = JsonFields.parse(body, FIELDS);
        String preset = f.string("preset", false, 100);
        JsonNode configField = f.raw("config");
        if (preset == null && (configField == null || configField.isNull())) {
            throw new BadInputException("preset", "give a preset (a name of configs/train) or a config object");
        }
        String dataset = f.string("dataset", true, 200);
        Path data = Roots.confine(roots.datasets(), dataset, "dataset");
        if (!Files.isDirectory(data)) {
            throw new BadInputException("dataset", "'" + dataset + "' is not a folder");
        }
        String name = f.string("name", false, 120);
        ObjectNode user = null;
        if (preset != null) {
            user = presetFile(roots, preset);
        }
        Map<String, String> origin = new LinkedHashMap<>();
        List<String> sets = new ArrayList<>();
        if (configField != null && !configField.isNull()) {
            sets.addAll(overrides(configField, "config", origin));
        }
        JsonNode setField = f.raw("set");
        if (setField != null && !setField.isNull()) {
            sets.addAll(overrides(setField, "set", origin));
        }
        TrainConfig c = resolve(TrainConfig.preset(), user, sets, origin, preset != null ? "preset" : "config");
        ObjectNode tree = withServerPaths(c, data, roots, origin);
        Map<String, Object> params = new LinkedHashMap<>();
        if (preset != null) {
            params.put("preset", preset);
        }
        params.put("dataset", dataset);
        if (setField != null && !setField.isNull()) {
            params.put("set", JSON.convertValue(setField, Object.class));
        }
        if (configField != null && !configField.isNull()) {
            params.put("config", JSON.convertValue(configField, Object.class));
        }
        String display = name != null && !name.isBlank() ? name.trim()
                : (preset != null ? preset : c.task()) + " on " + dataset;
        params.put("name", display);
        return new TrainSpec(display, preset, dataset, tree, params);
    }

    /** A preset file of {@code configs/train/} by name; only the tasks this trainer runs (lora, full). */
    public static ObjectNode presetFile(Roots roots, String preset) {
        if (!preset.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new BadInputException("preset", "must be a preset name of letters, digits, '.', '_' and '-'");
        }
        Path file = Roots.confine(roots.presets(), preset + ".json", "preset");
        ObjectNode node;
        try {
            node = Configs.file(file);
        } catch (BadInputException e) {
            throw new BadInputException("preset", e.getMessage());
        }
        String task = node.path("task").asText("lora");
        if (!TrainTask.TASKS.contains(task)) {
            throw new BadInputException("preset", "'" + preset + "' is task '" + task + "'; the server trains "
                    + TrainTask.TASKS + " (run the others with studio train)");
        }
        return node;
    }

    /**
     * A stored config (a checkpoint's, or the run's before its first checkpoint) with {@code set} overrides, in
     * {@code runDir}: what a resume runs, as {@code studio train --resume RUN_DIR --set …}.
     */
    public static TrainConfig resumeConfig(JsonNode stored, JsonNode set, Path runDir) {
        Map<String, String> origin = new LinkedHashMap<>();
        List<String> sets = new ArrayList<>();
        if (set != null && !set.isNull()) {
            sets.addAll(overrides(set, "set", origin));
        }
        sets.add(setString("output_dir", runDir.toString()));
        if (!stored.isObject()) {
            throw new IllegalStateException("stored config of " + runDir + " is not a JSON object");
        }
        return resolve(TrainConfig.preset(), (ObjectNode) stored, sets, origin, "stored config");
    }

    /** {@code config} (the request's, without output_dir) for the run folder {@code runDir}. */
    public static TrainConfig forRun(JsonNode config, Path runDir) {
        return resolve(TrainConfig.preset(), (ObjectNode) config, List.of(setString("output_dir", runDir.toString())),
                Map.of(), "run config");
    }

    /** A config as a JSON tree. */
    public static ObjectNode tree(TrainConfig c) {
        try {
            return (ObjectNode) JSON.readTree(Configs.toJson(c));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A config as JSON-ready maps (the run row's {@code config}). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asMap(TrainConfig c) {
        return JSON.convertValue(tree(c), Map.class);
    }

    /**
     * Flattens {@code overrides} (an object of dotted keys, or nested objects) into {@code --set} strings, each key
     * checked against the trainer's preset: it must exist, hold a value of the preset's JSON type, and not be the
     * server's. {@code origin} maps each key to the request field it came from ({@code set.steps}).
     */
    static List<String> overrides(JsonNode overrides, String field, Map<String, String> origin) {
        if (!overrides.isObject()) {
            throw new BadInputException(field, "must be a JSON object of keys (e.g. {\"steps\": 100, \"optimizer.lr\": 1e-4})");
        }
        List<String> sets = new ArrayList<>();
        flatten(overrides, "", field, TrainConfig.preset(), sets, origin);
        return sets;
    }

    private static void flatten(JsonNode node, String path, String field, ObjectNode preset, List<String> sets,
                                Map<String, String> origin) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            String where = field + "." + key;
            JsonNode expected = at(preset, key);
            if (expected == null) {
                throw new BadInputException(where, "unknown key '" + key + "'");
            }
            for (Map.Entry<String, String> owned : OWNED.entrySet()) {
                if (key.equals(owned.getKey()) || key.startsWith(owned.getKey() + ".")) {
                    throw new BadInputException(where, owned.getValue());
                }
            }
            JsonNode value = e.getValue();
            if (expected.isObject() && value.isObject()) {
                flatten(value, key, field, preset, sets, origin);
                continue;
            }
            String problem = typeProblem(expected, value);
            if (problem != null) {
                throw new BadInputException(where, problem);
            }
            String set = key + "=" + value;
            sets.add(set);
            origin.put(key, where);
        }
    }

    /** The node at a dotted key of the preset, or null. */
    private static JsonNode at(ObjectNode preset, String key) {
        JsonNode n = preset;
        for (String part : key.split("\\.", -1)) {
            n = n != null && n.isObject() ? n.get(part) : null;
        }
        return n;
    }

    private static String typeProblem(JsonNode expected, JsonNode value) {
        if (value.isNull()) {
            return "must not be null";
        }
        if (expected.isObject()) {
            return "must be an object";
        }
        if (expected.isBoolean() && !value.isBoolean()) {
            return "must be true or false";
        }
        if (expected.isIntegralNumber() && !value.isIntegralNumber()) {
            return "must be an integer";
        }
        if (expected.isNumber() && !value.isNumber()) {
            return "must be a number";
        }
        if (expected.isTextual() && !value.isTextual()) {
            return "must be a string";
        }
        if (expected.isArray() && !value.isArray()) {
            return "must be an array";
        }
        return null;
    }

    /** Configs.resolve + check, with errors naming the request field the bad key came from. */
    private static TrainConfig resolve(ObjectNode preset, ObjectNode user, List<String> sets, Map<String, String> origin,
                                       String source) {
        TrainConfig c;
        try {
            c = Configs.resolve(preset, user, sets, TrainConfig.class, source);
            c.check();
        } catch (BadInputException e) {
            throw renamed(e, origin, source);
        }
        return c;
    }

    /** Configs names a key as {@code --set k=v}, check() as the key itself: both become the request field. */
    private static BadInputException renamed(BadInputException e, Map<String, String> origin, String source) {
        String where = e.where();
        String key = where.startsWith("--set ") ? where.substring(6, Math.max(6, where.indexOf('='))) : where;
        String field = origin.getOrDefault(key, where.startsWith("--set ") ? source : where);
        String problem = e.getMessage().substring(Math.min(e.getMessage().length(), where.length() + 2));
        return new BadInputException(field, problem, e);
    }

    /** The resolved config with the server's paths: dataset, cache, and model references under the models root. */
    private static ObjectNode withServerPaths(TrainConfig c, Path data, Roots roots, Map<String, String> origin) {
        ObjectNode tree = tree(c);
        tree.put("output_dir", "");
        ObjectNode d = (ObjectNode) tree.get("data");
        d.put("dir", data.toString());
        ((ObjectNode) d.get("world")).put("count", 0);
        ObjectNode enc = (ObjectNode) tree.get("encoders");
        enc.put("cache_dir", roots.runs().resolve("cache").toString());
        ObjectNode model = (ObjectNode) tree.get("model");
        String path = c.model().path();
        if (!path.isEmpty()) {
            model.put("path", modelRef(roots, path, origin.getOrDefault("model.path", "model.path")));
        }
        String latent = c.encoders().latent();
        if (latent.startsWith("vae:")) {
            enc.put("latent", "vae:" + modelRef(roots, latent.substring(4),
                    origin.getOrDefault("encoders.latent", "encoders.latent")));
        }
        String text = c.encoders().text();
        if (text.startsWith("sd3:")) {
            enc.put("text", "sd3:" + modelRef(roots, text.substring(4), origin.getOrDefault("encoders.text", "encoders.text")));
        }
        return tree;
    }

    /** A model reference of a config as a real path inside the models root. */
    static String modelRef(Roots roots, String ref, String field) {
        String name = ref.startsWith("models/") ? ref.substring("models/".length()) : ref;
        return Roots.confine(roots.models(), name, field).toString();
    }

    /** {@code key="value"}: a string value whatever it looks like (a path "123" stays a string). */
    static String setString(String key, String value) {
        try {
            return key + "=" + JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The problem a preset would meet when launched here (a model it names is missing), or null. */
    public static String presetProblem(Roots roots, ObjectNode node) {
        try {
            TrainConfig c = resolve(TrainConfig.preset(), node, List.of(), Map.of(), "preset");
            if (!c.model().path().isEmpty()) {
                modelRef(roots, c.model().path(), "model.path");
            }
            if (c.encoders().latent().startsWith("vae:")) {
                modelRef(roots, c.encoders().latent().substring(4), "encoders.latent");
            }
            if (c.encoders().text().startsWith("sd3:")) {
                modelRef(roots, c.encoders().text().substring(4), "encoders.text");
            }
            return null;
        } catch (BadInputException e) {
            return e.getMessage();
        }
    }

    /** Reads a JSON text (a stored config). */
    public static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
