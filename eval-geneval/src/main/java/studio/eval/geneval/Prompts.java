package studio.eval.geneval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import studio.core.BadInputException;

/**
 * Reads GenEval prompt metadata: the official {@code prompts/evaluation_metadata.jsonl} (553 lines) and any
 * file of the same schema, such as the world's (EVAL.md §1.1, WORLD.md "GenEval-style prompts").
 *
 * <p>Stricter than the official code, which silently ignores unknown keys: a misspelt key ("colour",
 * "exlude") would drop a check, so unknown keys are refused. Every problem is reported as
 * {@code file:line: what is wrong}.
 */
public final class Prompts {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_LEVEL_KEYS = Set.of("tag", "include", "exclude", "prompt");
    private static final Set<String> INCLUDE_KEYS = Set.of("class", "count", "color", "position");
    private static final Set<String> EXCLUDE_KEYS = Set.of("class", "count");

    private Prompts() {}

    /** Classpath copy of geneval's {@code prompts/evaluation_metadata.jsonl} (553 prompts; see its README). */
    public static final String OFFICIAL_RESOURCE = "evaluation_metadata.jsonl";

    /** The 553 official GenEval prompts, read from the copy shipped in this module. */
    public static List<PromptMetadata> official() throws IOException {
        try (InputStream in = Prompts.class.getResourceAsStream(OFFICIAL_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + OFFICIAL_RESOURCE);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return parseLines(text.lines().toList(), "geneval:" + OFFICIAL_RESOURCE);
        }
    }

    /** All prompts of a metadata file, in line order; blank lines are refused (they shift the folder index). */
    public static List<PromptMetadata> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file.toString(), "no such file");
        }
        return parseLines(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    private static List<PromptMetadata> parseLines(List<String> lines, String source) {
        List<PromptMetadata> prompts = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            prompts.add(parseLine(lines.get(i), i, source + ":" + (i + 1)));
        }
        if (prompts.isEmpty()) {
            throw new BadInputException(source, "no prompts in the file");
        }
        return prompts;
    }

    /** One metadata object (a metadata.jsonl of an output folder, or one line); {@code where} names it in errors. */
    public static PromptMetadata parseLine(String line, int index, String where) {
        if (line.isBlank()) {
            throw new BadInputException(where, "blank line; each line must be one JSON object");
        }
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where, "malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadInputException(where, "expected a JSON object");
        }
        return parse((ObjectNode) node, index, where);
    }

    private static PromptMetadata parse(ObjectNode node, int index, String where) {
        refuseUnknownKeys(node, TOP_LEVEL_KEYS, where, "");
        String tag = requiredText(node, "tag", where, "");
        GenevalTask task = GenevalTask.fromTag(tag).orElseThrow(() -> new BadInputException(where,
                "unknown tag \"" + tag + "\"; expected one of " + GenevalTask.knownTags()));
        String prompt = requiredText(node, "prompt", where, "");
        List<Clause> include = clauses(node, "include", true, where);
        List<Clause> exclude = node.has("exclude") ? clauses(node, "exclude", false, where) : List.of();
        if (include.isEmpty()) {
            throw new BadInputException(where, "\"include\" is empty; a prompt needs at least one object");
        }
        return new PromptMetadata(index, task, include, exclude, prompt, PythonJson.dumps(node));
    }

    private static List<Clause> clauses(JsonNode node, String key, boolean include, String where) {
        JsonNode list = node.get(key);
        if (list == null) {
            throw new BadInputException(where, "missing field \"" + key + "\"");
        }
        if (!list.isArray()) {
            throw new BadInputException(where, "\"" + key + "\" must be a list of clauses");
        }
        List<Clause> clauses = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String field = key + "[" + i + "]";
            JsonNode clause = list.get(i);
            if (!clause.isObject()) {
                throw new BadInputException(where, "\"" + field + "\" must be an object");
            }
            refuseUnknownKeys(clause, include ? INCLUDE_KEYS : EXCLUDE_KEYS, where, field + ".");
            clauses.add(clause(clause, i, where, field));
        }
        return clauses;
    }

    private static Clause clause(JsonNode clause, int position, String where, String field) {
        String className = requiredText(clause, "class", where, field + ".");
        JsonNode count = clause.get("count");
        if (count == null) {
            throw new BadInputException(where, "missing field \"" + field + ".count\"");
        }
        if (!count.isIntegralNumber() || !count.canConvertToInt() || count.intValue() < 1) {
            throw new BadInputException(where, "\"" + field + ".count\" must be an integer >= 1, got " + count);
        }
        Clause result = Clause.of(className, count.intValue());
        if (clause.has("color")) {
            String color = requiredText(clause, "color", where, field + ".");
            if (!Clause.COLORS.contains(color)) {
                throw new BadInputException(where, "\"" + field + ".color\" is \"" + color
                        + "\"; the colour classifier knows only " + String.join(", ", Clause.COLORS));
            }
            result = result.withColor(color);
        }
        if (clause.has("position")) {
            result = withPosition(result, clause.get("position"), position, where, field + ".position");
        }
        return result;
    }

    private static Clause withPosition(Clause clause, JsonNode value, int ownIndex, String where, String field) {
        if (!value.isArray() || value.size() != 2 || !value.get(0).isTextual() || !value.get(1).isIntegralNumber()) {
            throw new BadInputException(where, "\"" + field + "\" must be [relation, include index], got " + value);
        }
        String text = value.get(0).textValue();
        Relation relation = Relation.fromText(text).orElseThrow(() -> new BadInputException(where,
                "\"" + field + "\" has unknown relation \"" + text + "\"; expected one of " + Relation.knownTexts()));
        int target = value.get(1).asInt();
        // evaluate() indexes matched_groups, which holds only the includes before this one.
        if (target < 0 || target >= ownIndex) {
            throw new BadInputException(where, "\"" + field + "\" refers to include " + target
                    + "; it must name an earlier include (0.." + (ownIndex - 1) + ")");
        }
        return clause.withPosition(relation, target);
    }

    private static String requiredText(JsonNode node, String key, String where, String prefix) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw new BadInputException(where, "missing field \"" + prefix + key + "\"");
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new BadInputException(where, "\"" + prefix + key + "\" must be a non-empty string, got " + value);
        }
        return value.textValue();
    }

    private static void refuseUnknownKeys(JsonNode node, Set<String> known, String where, String prefix) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new BadInputException(where, "unknown field \"" + prefix + name + "\"; expected "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }
}
