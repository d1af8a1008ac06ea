package studio.core.data.geneval;

import java.util.Arrays;
import java.util.Optional;

/**
 * The four relations of {@code relative_position} (geneval {@code evaluation/evaluate_images.py}), in the
 * order that function adds them to its set. Image y grows downward, so "above" means a smaller y.
 */
public enum Relation {
    LEFT_OF("left of"),
    RIGHT_OF("right of"),
    ABOVE("above"),
    BELOW("below");

    private final String text;

    Relation(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static Optional<Relation> fromText(String text) {
        return Arrays.stream(values()).filter(r -> r.text.equals(text)).findFirst();
    }

    public static String knownTexts() {
        return String.join(", ", Arrays.stream(values()).map(r -> "\"" + r.text + "\"").toList());
    }
}
