package studio.eval.geneval;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalTask;

/**
 * The evaluator's thresholds, named as the official {@code --options key=value} names them
 * (geneval {@code evaluation/evaluate_images.py}, {@code __main__}).
 *
 * @param threshold          {@code threshold}: detection score threshold, all tasks but counting (0.3)
 * @param countingThreshold  {@code counting_threshold}: the threshold for counting prompts (0.9)
 * @param maxObjects         {@code max_objects}: detections kept per class, best first (16)
 * @param maxOverlap         {@code max_overlap}: per-class NMS IoU threshold; 1.0 means no NMS (1.0)
 * @param positionThreshold  {@code position_threshold}: margin as a fraction of the two box sizes (0.1)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RuleOptions(double threshold, double countingThreshold, int maxObjects, double maxOverlap,
                          double positionThreshold) {
    public static final RuleOptions OFFICIAL = new RuleOptions(0.3, 0.9, 16, 1.0, 0.1);

    /** The official options with {@code KEY=VALUE} overrides ({@code --option}, evaluate_images.py's {@code --options}). */
    public static RuleOptions parse(java.util.List<String> keyValues) {
        RuleOptions rules = OFFICIAL;
        for (String option : keyValues) {
            int eq = option.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("--option " + option, "expected KEY=VALUE");
            }
            rules = rules.with(option.substring(0, eq), option.substring(eq + 1));
        }
        return rules;
    }

    /** The options with one official key changed; unknown keys and bad numbers are bad input. */
    public RuleOptions with(String key, String value) {
        try {
            return switch (key) {
                case "threshold" -> new RuleOptions(Double.parseDouble(value), countingThreshold, maxObjects, maxOverlap, positionThreshold);
                case "counting_threshold" -> new RuleOptions(threshold, Double.parseDouble(value), maxObjects, maxOverlap, positionThreshold);
                case "max_objects" -> new RuleOptions(threshold, countingThreshold, Integer.parseInt(value), maxOverlap, positionThreshold);
                case "max_overlap" -> new RuleOptions(threshold, countingThreshold, maxObjects, Double.parseDouble(value), positionThreshold);
                case "position_threshold" -> new RuleOptions(threshold, countingThreshold, maxObjects, maxOverlap, Double.parseDouble(value));
                default -> throw new BadInputException("option " + key, "unknown; expected threshold, counting_threshold, "
                        + "max_objects, max_overlap or position_threshold");
            };
        } catch (NumberFormatException e) {
            throw new BadInputException("option " + key, "not a number: \"" + value + "\"");
        }
    }

    /** The score threshold the official code picks for a prompt's tag. */
    public double scoreThreshold(GenevalTask task) {
        return task == GenevalTask.COUNTING ? countingThreshold : threshold;
    }
}
