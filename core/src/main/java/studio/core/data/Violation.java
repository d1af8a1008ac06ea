package studio.core.data;

/**
 * One problem found in a dataset: the file (as shown to the user), the 1-based line in it (0 when
 * lines do not apply, as in a PNG) and what is wrong. {@code studio data validate} prints these.
 */
public record Violation(String file, int line, String message) {
    public String where() {
        return line > 0 ? file + ":" + line : file;
    }

    @Override
    public String toString() {
        return where() + ": " + message;
    }
}
