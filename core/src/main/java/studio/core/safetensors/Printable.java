package studio.core.safetensors;

/**
 * Makes untrusted strings (tensor names, metadata, parser messages) safe to put in a one-line
 * message or listing: control characters are escaped and overlong text is cut, so a hostile header
 * cannot forge extra output lines or flood the terminal.
 */
public final class Printable {
    private Printable() {}

    /** {@code text} with control characters escaped ({@code \n}, {@code \u0007}), cut to {@code maxChars}. */
    public static String of(String text, int maxChars) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxChars) + 16);
        for (int i = 0; i < text.length(); i++) {
            if (out.length() >= maxChars) {
                return out.append("... (").append(text.length()).append(" chars)").toString();
            }
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** A tensor name quoted for an error message: {@code 'a.weight'}. */
    public static String quoted(String name) {
        return "'" + of(name, 200) + "'";
    }
}
