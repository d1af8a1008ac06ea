package studio.diffusion.text;

import java.text.BreakIterator;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's text cleanup before the word split (SD3.md §4.4, openai/CLIP simple_tokenizer.py):
 * {@code whitespace_clean(basic_clean(text)).lower()}, where basic_clean = fix_text, html.unescape twice,
 * strip. ftfy's fix_text is reduced to its NFC step (ftfy is not in Debian; the consequences are listed
 * in tools/reference/text_reference.py). Every step keeps each char's origin in the prompt.
 */
final class ClipTextCleaner {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private ClipTextCleaner() {}

    static AlignedText clean(String prompt) {
        AlignedText t = nfc(AlignedText.of(prompt));
        t = HtmlUnescape.unescape(HtmlUnescape.unescape(t));
        t = strip(t);
        t = strip(collapseWhitespace(t));
        return lower(t);
    }

    /** NFC per grapheme cluster (composition never crosses a cluster boundary). */
    static AlignedText nfc(AlignedText in) {
        String s = in.text();
        if (Normalizer.isNormalized(s, Normalizer.Form.NFC)) {
            return in;
        }
        AlignedText out = new AlignedText();
        BreakIterator clusters = BreakIterator.getCharacterInstance(Locale.ROOT);
        clusters.setText(s);
        for (int start = clusters.first(), end = clusters.next(); end != BreakIterator.DONE;
             start = end, end = clusters.next()) {
            String piece = s.substring(start, end);
            if (Normalizer.isNormalized(piece, Normalizer.Form.NFC)) {
                out.appendFrom(in, start, end);
            } else {
                out.append(Normalizer.normalize(piece, Normalizer.Form.NFC), in.origin(start, s.length()));
            }
        }
        return out;
    }

    /** Python's str.strip(): removes leading and trailing chars for which str.isspace() holds. */
    static AlignedText strip(AlignedText in) {
        int a = 0;
        int b = in.length();
        while (a < b && isPythonSpace(in.charAt(a))) {
            a++;
        }
        while (b > a && isPythonSpace(in.charAt(b - 1))) {
            b--;
        }
        if (a == 0 && b == in.length()) {
            return in;
        }
        AlignedText out = new AlignedText();
        out.appendFrom(in, a, b);
        return out;
    }

    /** str.isspace(): bidirectional class WS, B or S, or category Zs. */
    static boolean isPythonSpace(char c) {
        byte dir = Character.getDirectionality(c);
        return dir == Character.DIRECTIONALITY_WHITESPACE || dir == Character.DIRECTIONALITY_PARAGRAPH_SEPARATOR
                || dir == Character.DIRECTIONALITY_SEGMENT_SEPARATOR || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    /** re.sub(r'\s+', ' ', text), \s being Unicode White_Space as in Python's regex module. */
    static AlignedText collapseWhitespace(AlignedText in) {
        String s = in.text();
        AlignedText out = new AlignedText();
        Matcher m = WHITESPACE.matcher(s);
        int last = 0;
        while (m.find()) {
            out.appendFrom(in, last, m.start());
            out.append(' ', in.origin(m.start(), s.length()));
            last = m.end();
        }
        out.appendFrom(in, last, s.length());
        return out;
    }

    /**
     * str.lower(). Java's whole-string lower-casing applies the same Unicode rules (final sigma included);
     * the only unconditional length change is U+0130 İ → "i̇", handled by lower-casing around it.
     */
    static AlignedText lower(AlignedText in) {
        String s = in.text();
        AlignedText out = new AlignedText();
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '\u0130') {
                String low = s.substring(start, i).toLowerCase(Locale.ROOT);
                if (low.length() == i - start) {
                    for (int j = 0; j < low.length(); j++) {
                        out.append(low.charAt(j), in.origin(start + j, s.length()));
                    }
                } else {
                    out.append(low, in.origin(start, s.length()));
                }
                if (i < s.length()) {
                    out.append("i\u0307", in.origin(i, s.length()));
                }
                start = i + 1;
            }
        }
        return out;
    }
}
