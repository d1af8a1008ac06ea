package studio.core.data.geneval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import studio.core.data.Problems;

/**
 * Reads and writes GenEval's {@code evaluation_metadata.jsonl} schema (EVAL.md §1.1) strictly: the six
 * tags, their clause shapes (counting carries an exclude of N+1, position's second include points at
 * include 0), GenEval's colours and relations. Lines are written as Python's {@code json.dumps} does
 * ({@code ", "} and {@code ": "}), so the world's file looks like the official one.
 */
public final class GenevalPromptFile {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private GenevalPromptFile() {}

    /** Reads every line; problems (file:line) go to {@code problems}, bad lines are skipped. */
    public static List<GenevalPrompt> read(Path file, String name, Set<String> allowedClasses, Problems problems) {
        List<GenevalPrompt> prompts = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    prompts.add(parseLine(line, allowedClasses));
                } catch (PromptException e) {
                    problems.report(name, lineNumber, e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            problems.report(name, 0, "file not found");
        } catch (IOException e) {
            problems.report(name, 0, "cannot read: " + e.getMessage());
        }
        return prompts;
    }

    /** Parses one line; {@code allowedClasses} empty means any class name. */
    public static GenevalPrompt parseLine(String line, Set<String> allowedClasses) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new PromptException("malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new PromptException("expected a JSON object");
        }
        String tag = text(node, "tag");
        if (!GenevalPrompt.TAGS.contains(tag)) {
            throw new PromptException("tag: unknown task '" + tag + "', expected one of " + GenevalPrompt.TAGS);
        }
        List<GenevalClause> include = clauses(node, "include", allowedClasses, true);
        List<GenevalClause> exclude = node.has("exclude") ? clauses(node, "exclude", allowedClasses, false) : List.of();
        GenevalPrompt prompt = new GenevalPrompt(tag, include, exclude, text(node, "prompt"));
        GenevalRules.checkShape(prompt);
        return prompt;
    }

    private static List<GenevalClause> clauses(JsonNode node, String field, Set<String> allowedClasses, boolean include) {
        JsonNode list = node.get(field);
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new PromptException(field + ": expected a non-empty array");
        }
        List<GenevalClause> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(clause(list.get(i), field + "[" + i + "]", allowedClasses, include));
        }
        return out;
    }

    private static GenevalClause clause(JsonNode c, String path, Set<String> allowedClasses, boolean include) {
        if (!c.isObject()) {
            throw new PromptException(path + ": expected an object");
        }
        String cls = text(c, "class");
        if (!allowedClasses.isEmpty() && !allowedClasses.contains(cls)) {
            throw new PromptException(path + ".class: '" + cls + "' is not a known class");
        }
        JsonNode count = c.get("count");
        if (count == null || !count.isIntegralNumber() || count.asInt() < 1 || count.asLong() > 100) {
            throw new PromptException(path + ".count: expected an integer from 1 to 100");
        }
        GenevalClause clause = GenevalClause.of(cls, count.asInt());
        if (c.has("color")) {
            String color = text(c, "color");
            if (!GenevalPrompt.COLORS.contains(color)) {
                throw new PromptException(path + ".color: '" + color + "' is not a GenEval colour");
            }
            clause = clause.withColor(color);
        }
        if (c.has("position")) {
            JsonNode p = c.get("position");
            if (!include || !p.isArray() || p.size() != 2 || !p.get(0).isTextual() || !p.get(1).isIntegralNumber()
                    || !GenevalPrompt.RELATIONS.contains(p.get(0).asText())) {
                throw new PromptException(path + ".position: expected [\"left of\"|\"right of\"|\"above\"|\"below\", index]");
            }
            clause = clause.at(p.get(0).asText(), p.get(1).asInt());
        }
        return clause;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new PromptException(field + ": expected a non-empty string");
        }
        return v.asText();
    }

    /** One line as the official file spells it. */
    public static String toLine(GenevalPrompt p) {
        StringBuilder s = new StringBuilder("{\"tag\": ").append(quote(p.tag())).append(", \"include\": ").append(clauses(p.include()));
        if (!p.exclude().isEmpty()) {
            s.append(", \"exclude\": ").append(clauses(p.exclude()));
        }
        return s.append(", \"prompt\": ").append(quote(p.prompt())).append('}').toString();
    }

    private static String clauses(List<GenevalClause> clauses) {
        List<String> parts = new ArrayList<>();
        for (GenevalClause c : clauses) {
            StringBuilder s = new StringBuilder("{\"class\": ").append(quote(c.className())).append(", \"count\": ").append(c.count());
            if (c.color() != null) {
                s.append(", \"color\": ").append(quote(c.color()));
            }
            if (c.relation() != null) {
                s.append(", \"position\": [").append(quote(c.relation())).append(", ").append(c.relativeTo()).append(']');
            }
            parts.add(s.append('}').toString());
        }
        return "[" + String.join(", ", parts) + "]";
    }

    private static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A line that does not follow the schema; reported as file:line by the reader. */
    public static final class PromptException extends studio.core.BadInputException {
        private static final long serialVersionUID = 1L;

        PromptException(String problem) {
            super("evaluation_metadata.jsonl", problem);
        }

        @Override
        public String getMessage() {
            return super.getMessage().substring(where().length() + 2);
        }
    }
}
