package studio.core.data.geneval;

import java.util.List;
import java.util.Objects;

/**
 * One {@code include} or {@code exclude} clause of a GenEval prompt (EVAL.md §1.1).
 *
 * @param className the detector class name, e.g. "fire hydrant"
 * @param count     include: at least this many; exclude: the image is wrong at this many or more
 * @param color     required colour of the top-{@code count} detections, or null
 * @param position  required relation to an earlier include group, or null
 */
public record GenevalClause(String className, int count, String color, Position position) {
    /** The ten colours of the official colour classifier ({@code COLORS} in evaluate_images.py). */
    public static final List<String> COLORS = List.of(
            "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white");

    public GenevalClause {
        Objects.requireNonNull(className, "className");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        if (color != null && !COLORS.contains(color)) {
            throw new IllegalArgumentException("unknown colour " + color);
        }
    }

    public static GenevalClause of(String className, int count) {
        return new GenevalClause(className, count, null, null);
    }

    public GenevalClause withColor(String newColor) {
        return new GenevalClause(className, count, newColor, position);
    }

    public GenevalClause withPosition(Relation relation, int targetGroup) {
        return new GenevalClause(className, count, color, new Position(relation, targetGroup));
    }

    /**
     * {@code "position": ["right of", 0]}: the clause's objects must be {@code relation} the objects
     * matched by include number {@code targetGroup} (0-based, an earlier include).
     */
    public record Position(Relation relation, int targetGroup) {
        public Position {
            Objects.requireNonNull(relation, "relation");
            if (targetGroup < 0) {
                throw new IllegalArgumentException("targetGroup must be >= 0");
            }
        }
    }
}
