package studio.core.data.caption;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the COCONut-PanCap grounding grammar (EVAL.md §3.2): {@code <k: phrase>} or
 * {@code <k,l,m: phrase>}, with any whitespace around the numbers, commas, colon and phrase
 * ({@code < 62,63,48: Additional people>}, {@code <0:light colored wall>}). The plain caption keeps
 * the phrase (trimmed) and drops the tag syntax.
 *
 * <p>Strict on purpose, like PANORAMA's loader, which marks captions with malformed {@code <...>}
 * blocks unparsable: a {@code <} that does not open a well-formed tag, a {@code >} outside a tag, an
 * empty phrase or a number with more than {@value #MAX_DIGITS} digits is an error. Whatever the input,
 * only {@link TagSyntaxException} escapes.
 */
public final class TagParser {
    /** Segment ids are small per-image numbers; nine digits keeps every value far inside a long. */
    static final int MAX_DIGITS = 9;
    private static final int MAX_TAG_TEXT = 80;

    private final String text;
    private final String source;
    private final StringBuilder plain = new StringBuilder();
    private final List<Phrase> phrases = new ArrayList<>();
    private int pos;

    private TagParser(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /**
     * Parses one caption. {@code source} names it in errors (a file path, "row 12"); surrounding
     * whitespace of the caption is ignored, so the spans refer to the trimmed plain text.
     */
    public static GroundedCaption parse(String text, String source) {
        if (text == null) {
            throw new TagSyntaxException(source, 1, 1, "", "no caption text");
        }
        return new TagParser(text.strip(), source).run();
    }

    private GroundedCaption run() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '<') {
                readTag();
            } else if (c == '>') {
                throw error(pos, pos + 1, "'>' outside a tag");
            } else {
                plain.append(c);
                pos++;
            }
        }
        return new GroundedCaption(plain.toString(), phrases);
    }

    private void readTag() {
        int tagStart = pos;
        pos++;
        List<Long> numbers = new ArrayList<>();
        numbers.add(readNumber(tagStart));
        skipSpaces();
        while (pos < text.length() && text.charAt(pos) == ',') {
            pos++;
            numbers.add(readNumber(tagStart));
            skipSpaces();
        }
        if (pos >= text.length()) {
            throw error(tagStart, pos, "unclosed tag");
        }
        if (text.charAt(pos) != ':') {
            throw error(tagStart, pos + 1, "expected ',' or ':' after a segment number");
        }
        pos++;
        String phrase = readPhrase(tagStart);
        int start = plain.length();
        plain.append(phrase);
        phrases.add(new Phrase(phrase, start, plain.length(), numbers));
    }

    private long readNumber(int tagStart) {
        skipSpaces();
        int digitsStart = pos;
        while (pos < text.length() && isAsciiDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == digitsStart) {
            throw error(tagStart, Math.min(pos + 1, text.length()), "expected a segment number");
        }
        if (pos - digitsStart > MAX_DIGITS) {
            throw error(tagStart, pos, "segment number has more than " + MAX_DIGITS + " digits");
        }
        return Long.parseLong(text, digitsStart, pos, 10);
    }

    private String readPhrase(int tagStart) {
        int phraseStart = pos;
        while (pos < text.length() && text.charAt(pos) != '>') {
            if (text.charAt(pos) == '<') {
                throw error(tagStart, pos + 1, "'<' inside a tag (unclosed tag?)");
            }
            pos++;
        }
        if (pos >= text.length()) {
            throw error(tagStart, pos, "unclosed tag");
        }
        String phrase = text.substring(phraseStart, pos).strip();
        pos++;
        if (phrase.isEmpty()) {
            throw error(tagStart, pos, "empty phrase");
        }
        return phrase;
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private TagSyntaxException error(int tagStart, int tagEnd, String problem) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < tagStart; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int end = Math.min(Math.max(tagEnd, tagStart), Math.min(text.length(), tagStart + MAX_TAG_TEXT));
        String tagText = text.substring(tagStart, end).replaceAll("[\\p{Cntrl}]", " ");
        return new TagSyntaxException(source, line, tagStart - lineStart + 1, tagText, problem);
    }
}
