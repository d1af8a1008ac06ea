package studio.eval.geneval;

import java.util.Objects;
import studio.core.data.geneval.GenevalClause;

/**
 * One detected instance.
 *
 * @param className detector class name (GenEval spelling, e.g. "computer mouse")
 * @param score     confidence in [0, 1]
 * @param box       pixel box
 * @param mask      instance mask of the image's size, or null (the colour crop then keeps the background)
 * @param color     a colour already decided elsewhere (detections file), or null to ask a {@link ColorClassifier}
 */
public record Detection(String className, double score, Box box, Mask mask, String color) {
    public Detection {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(box, "box");
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite");
        }
        if (color != null && !GenevalClause.COLORS.contains(color)) {
            throw new IllegalArgumentException("unknown colour " + color);
        }
    }

    public static Detection of(String className, double score, Box box) {
        return new Detection(className, score, box, null, null);
    }

    public Detection withColor(String newColor) {
        return new Detection(className, score, box, mask, newColor);
    }
}
