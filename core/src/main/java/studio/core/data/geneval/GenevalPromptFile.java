package studio.core.data.geneval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import studio.core.BadInputException;
import studio.core.data.Problems;

/**
 * Reads and writes GenEval's {@code evaluation_metadata.jsonl} schema (EVAL.md §1.1; WORLD.md
 * "GenEval-style prompts"): the official file (553 lines) and any file of the same schema, such as a world's.
 *
 * <p>Stricter than the official code, which silently ignores unknown keys: a misspelt key ("colour",
 * "exlude") would drop a check, so unknown keys are refused; colours must be the colour classifier's,
 * relations GenEval's four, and a position must name an earlier include. Every problem is reported as
 * {@code file:line: what is wrong}. {@link Checks#dataset} adds what a dataset's own file must also
 * satisfy: each task's clause shape ({@link GenevalRules}) and, optionally, the dataset's class list.
 *
 * <p>Each line read keeps its text as Python's {@code json.dumps} writes it ({@link PythonJson}), and
 * {@link #toLine} writes a prompt the same way, so a generated file looks byte for byte like the official one.
 */
public final class GenevalPromptFile {
    /** Highest count a dataset's prompt may ask for. */
    public static final int MAX_DATASET_COUNT = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_LEVEL_KEYS = Set.of("tag", "include", "exclude", "prompt");
    private static final Set<String> INCLUDE_KEYS = Set.of("class", "count", "color", "position");
    private static final Set<String> EXCLUDE_KEYS = Set.of("class", "count");

    /**
     * What a reader checks beyond the schema.
     *
     * @param classes    allowed class names; empty means any
     * @param taskShapes each tag's clause shape (counting has an exclude of N+1, position points at include 0,
     *                   ...), counts at most {@link #MAX_DATASET_COUNT} and no empty {@code exclude}
     */
    public record Checks(Set<String> classes, boolean taskShapes) {
        /** What the official evaluator can score: any class, any combination of clauses. */
        public static final Checks SCHEMA = new Checks(Set.of(), false);

        public Checks {
            classes = Set.copyOf(classes);
        }

        /** A dataset's own prompt file: task shapes and, when {@code classes} is not empty, only those classes. */
        public static Checks dataset(Set<String> classes) {
            return new Checks(classes, true);
        }
    }

    private GenevalPromptFile() {}

    /** All prompts of a file, in line order, checked against the schema; the first problem is thrown as file:line. */
    public static List<GenevalPromptLine> read(Path file) {
        return read(file, file.toString(), Checks.SCHEMA, Problems.strict());
    }

    /**
     * All good lines of a file, in line order; each problem goes to {@code problems} as {@code name:line}
     * (a strict sink throws the first, a collecting one gets all and bad lines are skipped). Blank lines
     * are problems: they would shift every later prompt's folder index.
     */
    public static List<GenevalPromptLine> read(Path file, String name, Checks checks, Problems problems) {
        if (!Files.isRegularFile(file)) {
            problems.report(name, 0, "no such file");
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            problems.report(name, 0, "not UTF-8 text");
            return List.of();
        } catch (IOException e) {
            problems.report(name, 0, "cannot read: " + e.getMessage());
            return List.of();
        }
        return parseLines(lines, name, checks, problems);
    }

    /** The lines of a file named {@code source}, as {@link #read(Path, String, Checks, Problems)} does. */
    public static List<GenevalPromptLine> parseLines(List<String> lines, String source, Checks checks, Problems problems) {
        List<GenevalPromptLine> prompts = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            try {
                prompts.add(parse(lines.get(i), i, checks));
            } catch (LineProblem e) {
                problems.report(source, i + 1, e.getMessage());
            }
        }
        if (lines.isEmpty()) {
            problems.report(source, 0, "no prompts in the file");
        }
        return prompts;
    }

    /** One metadata object (a metadata.jsonl of an output folder, or one line), schema only; {@code where} names it in errors. */
    public static GenevalPromptLine parseLine(String line, int index, String where) {
        return parseLine(line, index, where, Checks.SCHEMA);
    }

    public static GenevalPromptLine parseLine(String line, int index, String where, Checks checks) {
        try {
            return parse(line, index, checks);
        } catch (LineProblem e) {
            throw new BadInputException(where, e.getMessage());
        }
    }

    /** One line as Python's {@code json.dumps} writes it, keys in the official order; no newline. */
    public static String toLine(GenevalPrompt p) {
        ObjectNode node = JSON.createObjectNode();
        node.put("tag", p.tag());
        node.set("include", clausesNode(p.include()));
        if (!p.exclude().isEmpty()) {
            node.set("exclude", clausesNode(p.exclude()));
        }
        node.put("prompt", p.prompt());
        return PythonJson.dumps(node);
    }

    private static ArrayNode clausesNode(List<GenevalClause> clauses) {
        ArrayNode list = JSON.createArrayNode();
        for (GenevalClause c : clauses) {
            ObjectNode clause = list.addObject();
            clause.put("class", c.className());
            clause.put("count", c.count());
            if (c.color() != null) {
                clause.put("color", c.color());
            }
            if (c.position() != null) {
                clause.putArray("position").add(c.position().relation().text()).add(c.position().targetGroup());
            }
        }
        return list;
    }

    private static GenevalPromptLine parse(String line, int index, Checks checks) {
        if (line.isBlank()) {
            throw new LineProblem("blank line; each line must be one JSON object");
        }
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new LineProblem("malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new LineProblem("expected a JSON object");
        }
        refuseUnknownKeys(node, TOP_LEVEL_KEYS, "");
        String tag = requiredText(node, "tag", "");
        GenevalTask task = GenevalTask.fromTag(tag).orElseThrow(() -> new LineProblem(
                "unknown tag \"" + tag + "\"; expected one of " + GenevalTask.knownTags()));
        String prompt = requiredText(node, "prompt", "");
        List<GenevalClause> include = clauses(node, "include", true, checks);
        List<GenevalClause> exclude = node.has("exclude") ? clauses(node, "exclude", false, checks) : List.of();
        if (include.isEmpty()) {
            throw new LineProblem("\"include\" is empty; a prompt needs at least one object");
        }
        if (checks.taskShapes() && node.has("exclude") && exclude.isEmpty()) {
            throw new LineProblem("\"exclude\" is empty; leave it out when nothing is excluded");
        }
        GenevalPrompt spec = new GenevalPrompt(task, include, exclude, prompt);
        if (checks.taskShapes()) {
            String shape = GenevalRules.shapeProblem(spec);
            if (shape != null) {
                throw new LineProblem(shape);
            }
        }
        return new GenevalPromptLine(index, spec, PythonJson.dumps(node));
    }

    private static List<GenevalClause> clauses(JsonNode node, String key, boolean include, Checks checks) {
        JsonNode list = node.get(key);
        if (list == null) {
            throw new LineProblem("missing field \"" + key + "\"");
        }
        if (!list.isArray()) {
            throw new LineProblem("\"" + key + "\" must be a list of clauses");
        }
        List<GenevalClause> clauses = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String field = key + "[" + i + "]";
            JsonNode clause = list.get(i);
            if (!clause.isObject()) {
                throw new LineProblem("\"" + field + "\" must be an object");
            }
            refuseUnknownKeys(clause, include ? INCLUDE_KEYS : EXCLUDE_KEYS, field + ".");
            clauses.add(clause(clause, i, field, checks));
        }
        return clauses;
    }

    private static GenevalClause clause(JsonNode clause, int position, String field, Checks checks) {
        String className = requiredText(clause, "class", field + ".");
        if (!checks.classes().isEmpty() && !checks.classes().contains(className)) {
            throw new LineProblem("\"" + field + ".class\" is \"" + className + "\", not a class of the dataset ("
                    + String.join(", ", new TreeSet<>(checks.classes())) + ")");
        }
        JsonNode count = clause.get("count");
        if (count == null) {
            throw new LineProblem("missing field \"" + field + ".count\"");
        }
        if (!count.isIntegralNumber() || !count.canConvertToInt() || count.intValue() < 1) {
            throw new LineProblem("\"" + field + ".count\" must be an integer >= 1, got " + count);
        }
        if (checks.taskShapes() && count.intValue() > MAX_DATASET_COUNT) {
            throw new LineProblem("\"" + field + ".count\" must be at most " + MAX_DATASET_COUNT + ", got " + count);
        }
        GenevalClause result = GenevalClause.of(className, count.intValue());
        if (clause.has("color")) {
            String color = requiredText(clause, "color", field + ".");
            if (!GenevalClause.COLORS.contains(color)) {
                throw new LineProblem("\"" + field + ".color\" is \"" + color
                        + "\"; the colour classifier knows only " + String.join(", ", GenevalClause.COLORS));
            }
            result = result.withColor(color);
        }
        if (clause.has("position")) {
            result = withPosition(result, clause.get("position"), position, field + ".position");
        }
        return result;
    }

    private static GenevalClause withPosition(GenevalClause clause, JsonNode value, int ownIndex, String field) {
        if (!value.isArray() || value.size() != 2 || !value.get(0).isTextual() || !value.get(1).isIntegralNumber()) {
            throw new LineProblem("\"" + field + "\" must be [relation, include index], got " + value);
        }
        String text = value.get(0).textValue();
        Relation relation = Relation.fromText(text).orElseThrow(() -> new LineProblem(
                "\"" + field + "\" has unknown relation \"" + text + "\"; expected one of " + Relation.knownTexts()));
        int target = value.get(1).asInt();
        // evaluate() indexes matched_groups, which holds only the includes before this one.
        if (target < 0 || target >= ownIndex) {
            throw new LineProblem("\"" + field + "\" refers to include " + target
                    + "; it must name an earlier include (0.." + (ownIndex - 1) + ")");
        }
        return clause.withPosition(relation, target);
    }

    private static String requiredText(JsonNode node, String key, String prefix) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw new LineProblem("missing field \"" + prefix + key + "\"");
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new LineProblem("\"" + prefix + key + "\" must be a non-empty string, got " + value);
        }
        return value.textValue();
    }

    private static void refuseUnknownKeys(JsonNode node, Set<String> known, String prefix) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new LineProblem("unknown field \"" + prefix + name + "\"; expected "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    /** What is wrong with one line; the caller adds file:line. */
    private static final class LineProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LineProblem(String problem) {
            super(problem, null, false, false);
        }
    }
}
