package studio.core.data.panoptic;

/** A JSON entry with a missing or mistyped field; the reader turns it into a file:line problem. */
final class FieldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FieldException(String message) {
        super(message);
    }
}
