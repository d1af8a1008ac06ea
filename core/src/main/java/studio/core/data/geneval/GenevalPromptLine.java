package studio.core.data.geneval;

import java.util.List;
import java.util.Objects;

/**
 * One line of a GenEval {@code evaluation_metadata.jsonl} as read by {@link GenevalPromptFile}.
 *
 * @param index 0-based line index; the prompt's output folder is {@code %05d} of it
 * @param spec  what the line says
 * @param json  the line as Python's {@code json.dumps} writes it (key order as in the file), for
 *              {@code metadata.jsonl} and the {@code metadata} field of results.jsonl
 */
public record GenevalPromptLine(int index, GenevalPrompt spec, String json) {
    public GenevalPromptLine {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(json, "json");
    }

    public GenevalTask task() {
        return spec.task();
    }

    public String tag() {
        return spec.tag();
    }

    public List<GenevalClause> include() {
        return spec.include();
    }

    public List<GenevalClause> exclude() {
        return spec.exclude();
    }

    /** The text prompt. */
    public String prompt() {
        return spec.prompt();
    }
}
