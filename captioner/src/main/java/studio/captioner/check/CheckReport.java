package studio.captioner.check;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of checking an image against its prompt: one verdict per prompt entity and relation,
 * and PancapScore-style F1s (EVAL.md §4.2 steps 2 and 4) between the prompt's items and the
 * captioner's. A null F1 means neither side had an item of that kind.
 */
public record CheckReport(String prompt, String captioner, List<EntityVerdict> entities, List<RelationVerdict> relations,
        Double tagF1, Double locationF1, Double attributeF1, Double relationF1) {

    public enum Status {
        PRESENT("present"), MISSING("missing"), WRONG_COLOUR("wrong colour"), WRONG_COUNT("wrong count"), WRONG_POSITION("wrong position");

        private final String words;

        Status(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /** An entity's verdict: the first problem found (or present), every problem with details, the segments matched. */
    public record EntityVerdict(PromptEntity entity, Status status, List<String> problems, List<Long> segments) {}

    /** A relation's verdict: holds, does not hold, or cannot be checked (an entity is missing). */
    public record RelationVerdict(PromptRelation relation, String verdict) {}

    public boolean allPresent() {
        return entities.stream().allMatch(e -> e.status() == Status.PRESENT)
                && relations.stream().noneMatch(r -> r.verdict().equals("violated"));
    }

    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", prompt);
        m.put("captioner", captioner);
        m.put("entities", entities.stream().map(CheckReport::entityMap).toList());
        m.put("relations", relations.stream().map(r -> Map.of("text", r.relation().text(), "subject", r.relation().subject(),
                "relation", r.relation().relation(), "object", r.relation().object(), "verdict", r.verdict())).toList());
        Map<String, Object> f1 = new LinkedHashMap<>();
        f1.put("tag", tagF1);
        f1.put("location", locationF1);
        f1.put("attribute", attributeF1);
        f1.put("relation", relationF1);
        m.put("f1", f1);
        return m;
    }

    private static Map<String, Object> entityMap(EntityVerdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        PromptEntity e = v.entity();
        m.put("index", e.index());
        m.put("text", e.text());
        m.put("class", e.className());
        m.put("thing", e.isThing());
        m.put("colour", e.colour());
        m.put("count", e.count());
        m.put("positions", e.positions().stream().map(PromptEntity.Position::words).toList());
        m.put("status", v.status().words());
        m.put("problems", v.problems());
        m.put("segments", v.segments());
        return m;
    }
}
