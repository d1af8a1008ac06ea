package studio.core.data.geneval;

import java.util.List;

/** One line of GenEval's {@code evaluation_metadata.jsonl}; {@code exclude} is empty except on counting lines. */
public record GenevalPrompt(String tag, List<GenevalClause> include, List<GenevalClause> exclude, String prompt) {
    /** GenEval's six tasks, in the order the official file lists them. */
    public static final List<String> TAGS = List.of("single_object", "two_object", "counting", "colors", "position", "color_attr");
    /** GenEval's colours ({@code COLORS} in evaluate_images.py). */
    public static final List<String> COLORS = List.of("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white");
    public static final List<String> RELATIONS = List.of("left of", "right of", "above", "below");

    public GenevalPrompt {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }
}
