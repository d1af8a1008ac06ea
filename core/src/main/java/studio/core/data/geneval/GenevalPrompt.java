package studio.core.data.geneval;

import java.util.List;
import java.util.Objects;

/**
 * What one line of a GenEval {@code evaluation_metadata.jsonl} says (EVAL.md §1.1). A line read from a
 * file is a {@link GenevalPromptLine}, which adds its index and its exact JSON text.
 *
 * @param task    the tag
 * @param include clauses ANDed; include #0 is the reference group of a position prompt
 * @param exclude clauses ORed (only counting prompts have them in the official file)
 * @param prompt  the text prompt
 */
public record GenevalPrompt(GenevalTask task, List<GenevalClause> include, List<GenevalClause> exclude, String prompt) {
    public GenevalPrompt {
        Objects.requireNonNull(task, "task");
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        Objects.requireNonNull(prompt, "prompt");
    }

    /** The tag as written in {@code evaluation_metadata.jsonl} and results.jsonl. */
    public String tag() {
        return task.tag();
    }
}
