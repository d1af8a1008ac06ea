package studio.core.image;

import java.nio.charset.StandardCharsets;

/**
 * One PNG text chunk to write (PNG spec, 3rd ed., §11.3.3).
 *
 * <ul>
 *   <li>{@link #latin1}: a {@code tEXt} chunk, keyword and text in ISO 8859-1. This is what
 *       AUTOMATIC1111 and most tools write for generation {@code parameters}, and what the widest
 *       range of readers understands.</li>
 *   <li>{@link #utf8}: an uncompressed {@code iTXt} chunk, text in UTF-8 (any language, emoji), e.g.
 *       the studio's own JSON record of a generation.</li>
 * </ul>
 * Keywords must be 1–79 printable Latin-1 characters without leading, trailing or consecutive
 * spaces (§11.3.3.2), and tEXt text may not contain NUL.
 */
public record PngTextChunk(String keyword, String text, boolean utf8) {

    public PngTextChunk {
        checkKeyword(keyword);
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("PNG text for '" + keyword + "' contains NUL");
        }
        if (!utf8 && !StandardCharsets.ISO_8859_1.newEncoder().canEncode(text)) {
            throw new IllegalArgumentException("tEXt value for '" + keyword
                    + "' is not Latin-1; write it as PngTextChunk.utf8 (iTXt)");
        }
    }

    /** A {@code tEXt} chunk (Latin-1). */
    public static PngTextChunk latin1(String keyword, String text) {
        return new PngTextChunk(keyword, text, false);
    }

    /** An {@code iTXt} chunk (UTF-8, uncompressed, no language tag). */
    public static PngTextChunk utf8(String keyword, String text) {
        return new PngTextChunk(keyword, text, true);
    }

    private static void checkKeyword(String keyword) {
        boolean valid = !keyword.isEmpty() && keyword.length() <= 79
                && !keyword.startsWith(" ") && !keyword.endsWith(" ") && !keyword.contains("  ");
        for (int i = 0; valid && i < keyword.length(); i++) {
            char c = keyword.charAt(i);
            valid = (c >= 32 && c <= 126) || (c >= 161 && c <= 255);
        }
        if (!valid) {
            throw new IllegalArgumentException("invalid PNG text keyword '" + keyword
                    + "': 1-79 printable Latin-1 characters, no leading, trailing or double spaces");
        }
    }
}
