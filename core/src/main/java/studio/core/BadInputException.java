package studio.core;

/**
 * Input the user supplied is wrong (a malformed file, an unknown key, a value out of range).
 * The CLI maps it to exit code 2 and prints {@link #getMessage()} as one line; the server maps it
 * to HTTP 400. The message always names the file, field or line and what was expected.
 */
public class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Where the problem is: a file path, a field name, "file:line"; never null. */
    private final String where;

    public BadInputException(String where, String problem) {
        super(where + ": " + problem);
        this.where = where;
    }

    public BadInputException(String where, String problem, Throwable cause) {
        super(where + ": " + problem, cause);
        this.where = where;
    }

    public String where() {
        return where;
    }
}
