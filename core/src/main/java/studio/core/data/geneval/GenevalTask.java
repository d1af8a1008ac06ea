package studio.core.data.geneval;

import java.util.Arrays;
import java.util.Optional;

/** The six GenEval tags (EVAL.md §1.1; geneval {@code prompts/create_prompts.py}). */
public enum GenevalTask {
    SINGLE_OBJECT("single_object"),
    TWO_OBJECT("two_object"),
    COUNTING("counting"),
    COLORS("colors"),
    POSITION("position"),
    COLOR_ATTR("color_attr");

    private final String tag;

    GenevalTask(String tag) {
        this.tag = tag;
    }

    /** The tag as written in {@code evaluation_metadata.jsonl} and results.jsonl. */
    public String tag() {
        return tag;
    }

    public static Optional<GenevalTask> fromTag(String tag) {
        return Arrays.stream(values()).filter(t -> t.tag.equals(tag)).findFirst();
    }

    public static String knownTags() {
        return String.join(", ", Arrays.stream(values()).map(GenevalTask::tag).toList());
    }
}
