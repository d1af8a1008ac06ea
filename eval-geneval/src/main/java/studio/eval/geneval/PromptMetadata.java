package studio.eval.geneval;

import java.util.List;
import java.util.Objects;

/**
 * One line of a GenEval {@code evaluation_metadata.jsonl}.
 *
 * @param index    0-based line index; the prompt's output folder is {@code %05d} of it
 * @param task     the tag
 * @param include  clauses ANDed; include #0 is the reference group of a position prompt
 * @param exclude  clauses ORed (only counting prompts have them in the official file)
 * @param prompt   the text prompt
 * @param json     the line as Python's {@code json.dumps} writes it, for {@code metadata.jsonl} and the
 *                 {@code metadata} field of results.jsonl
 */
public record PromptMetadata(int index, GenevalTask task, List<Clause> include, List<Clause> exclude,
                             String prompt, String json) {
    public PromptMetadata {
        Objects.requireNonNull(task, "task");
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(json, "json");
    }

    public String tag() {
        return task.tag();
    }
}
