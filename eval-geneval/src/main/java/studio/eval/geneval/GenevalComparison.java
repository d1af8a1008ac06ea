package studio.eval.geneval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Two GenEval runs side by side ({@code studio eval compare A B}): per task A's score, B's score and
 * {@code delta = B − A}, the same for the overall score, and which settings differ. Its JSON (keys in snake_case,
 * as {@link GenevalReport}) is the comparison's schema:
 *
 * <pre>
 * {"schema": "pancap-studio/geneval-compare/1",
 *  "a": {"run": "runs/base", "label": "pancap-tiny", "images": 2212, "settings": {...}},
 *  "b": {...},
 *  "tasks": [{"tag": "counting", "a": 0.41, "b": 0.47, "delta": 0.06}, ...],   A's task order, then B's other tasks
 *  "overall": {"tag": "overall", "a": 0.52, "b": 0.55, "delta": 0.03},
 *  "settings_differ": ["loras"]}
 * </pre>
 * A task only one run has gets a null score on the other side and a null delta.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record GenevalComparison(String schema, Side a, Side b, List<Row> tasks, Row overall, List<String> settingsDiffer) {
    public static final String SCHEMA = "pancap-studio/geneval-compare/1";

    /** One run: where it is, its label (model + LoRAs), its image count and settings. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Side(String run, String label, int images, GenevalReport.Settings settings) {}

    /** One task (or "overall"): the two scores and B − A. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Row(String tag, Double a, Double b, Double delta) {}

    public static GenevalComparison of(String runA, GenevalReport a, String runB, GenevalReport b) {
        Set<String> tags = new LinkedHashSet<>();
        a.tasks().forEach(t -> tags.add(t.tag()));
        b.tasks().forEach(t -> tags.add(t.tag()));
        List<Row> rows = new ArrayList<>();
        for (String tag : tags) {
            rows.add(row(tag, score(a, tag), score(b, tag)));
        }
        return new GenevalComparison(SCHEMA, side(runA, a), side(runB, b), rows, row("overall", a.overall(), b.overall()),
                settingsDiffer(a.settings(), b.settings()));
    }

    private static Side side(String run, GenevalReport r) {
        return new Side(run, r.settings() != null ? r.settings().label() : run, r.images(), r.settings());
    }

    private static Double score(GenevalReport r, String tag) {
        return r.tasks().stream().filter(t -> t.tag().equals(tag)).map(GenevalReport.Task::score).findFirst().orElse(null);
    }

    private static Row row(String tag, Double a, Double b) {
        return new Row(tag, a, b, a != null && b != null ? b - a : null);
    }

    /** Settings keys whose values differ (a key only one run has counts). */
    static List<String> settingsDiffer(GenevalReport.Settings a, GenevalReport.Settings b) {
        JsonNode na = GenevalReport.JSON.valueToTree(a);
        JsonNode nb = GenevalReport.JSON.valueToTree(b);
        Set<String> keys = new LinkedHashSet<>();
        if (na != null && na.isObject()) {
            na.fieldNames().forEachRemaining(keys::add);
        }
        if (nb != null && nb.isObject()) {
            nb.fieldNames().forEachRemaining(keys::add);
        }
        List<String> differ = new ArrayList<>();
        for (String k : keys) {
            JsonNode va = na == null ? null : na.get(k);
            JsonNode vb = nb == null ? null : nb.get(k);
            if (va == null ? vb != null : !va.equals(vb)) {
                differ.add(k);
            }
        }
        return differ;
    }

    public String json() {
        try {
            return GenevalReport.JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
