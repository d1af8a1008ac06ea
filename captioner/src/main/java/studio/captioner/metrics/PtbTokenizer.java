package studio.captioner.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * coco-caption's tokenization ({@code pycocoevalcap/tokenizer/ptbtokenizer.py}) without Java CoreNLP:
 * the reference runs Stanford PTBTokenizer 3.4.1 with {@code -preserveLines -lowerCase} and then drops
 * the tokens in {@code PUNCTUATIONS}. This is an approximation of PTBTokenizer for plain English
 * captions, documented rule by rule:
 * <ul>
 *   <li>lower-case; newlines become spaces;</li>
 *   <li>split on whitespace; inside a chunk, punctuation marks {@code . , ; : ! ? ( ) [ ] { } " `} are
 *       split off as their own tokens; an apostrophe starts a clitic token ({@code 's 're 've 'll 'd 'm})
 *       and {@code n't} is split off its verb, as PTB does;</li>
 *   <li>hyphenated words ({@code medium-sized}) and numbers with a decimal point ({@code 0.5}) stay one
 *       token, as PTBTokenizer 3.4.1 keeps them;</li>
 *   <li>brackets become {@code -LRB-}/{@code -RRB-} etc. and are then dropped with the other
 *       punctuation, exactly as the reference's list drops them.</li>
 * </ul>
 * Differences from CoreNLP can appear on URLs, emoticons, abbreviations with inner periods ("e.g.")
 * and unusual Unicode; none occur in world captions.
 */
public final class PtbTokenizer {
    /** {@code PUNCTUATIONS} of ptbtokenizer.py. */
    static final Set<String> PUNCTUATIONS = Set.of("''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
            ".", "?", "!", ",", ":", "-", "--", "...", ";");
    private static final String SPLIT = ".,;:!?()[]{}\"`";
    private static final List<String> CLITICS = List.of("'s", "'re", "'ve", "'ll", "'d", "'m");

    private PtbTokenizer() {}

    /** Tokens joined by single spaces, punctuation removed: what the metrics split on. */
    public static String tokenize(String caption) {
        return String.join(" ", tokens(caption));
    }

    public static List<String> tokens(String caption) {
        List<String> out = new ArrayList<>();
        for (String chunk : caption.replace('\n', ' ').toLowerCase(Locale.ROOT).trim().split("\\s+")) {
            if (!chunk.isEmpty()) {
                splitChunk(chunk, out);
            }
        }
        out.removeIf(PUNCTUATIONS::contains);
        return out;
    }

    private static void splitChunk(String chunk, List<String> out) {
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            boolean decimalPoint = c == '.' && word.length() > 0 && Character.isDigit(word.charAt(word.length() - 1))
                    && i + 1 < chunk.length() && Character.isDigit(chunk.charAt(i + 1));
            if (SPLIT.indexOf(c) >= 0 && !decimalPoint) {
                flush(word, out);
                out.add(bracket(c));
                if (c == '.' && chunk.startsWith("...", i)) {
                    out.set(out.size() - 1, "...");
                    i += 2;
                }
            } else {
                word.append(c);
            }
        }
        flush(word, out);
    }

    private static String bracket(char c) {
        return switch (c) {
            case '(', '[' -> "-LRB-";
            case ')', ']' -> "-RRB-";
            case '{' -> "-LCB-";
            case '}' -> "-RCB-";
            case '"' -> "''";
            default -> String.valueOf(c);
        };
    }

    /** Emits a word, splitting off {@code n't} and the clitics, and stripping quote apostrophes at its edges. */
    private static void flush(StringBuilder word, List<String> out) {
        if (word.length() == 0) {
            return;
        }
        String w = word.toString();
        word.setLength(0);
        while (w.startsWith("'") && w.length() > 1 && !CLITICS.contains(w)) {
            out.add("`");
            w = w.substring(1);
        }
        String tail = null;
        if (w.endsWith("n't") && w.length() > 3) {
            tail = "n't";
        } else {
            for (String c : CLITICS) {
                if (w.endsWith(c) && w.length() > c.length()) {
                    tail = c;
                }
            }
        }
        if (tail != null) {
            out.add(w.substring(0, w.length() - tail.length()));
            out.add(tail);
        } else if (w.endsWith("'") && w.length() > 1) {
            out.add(w.substring(0, w.length() - 1));
            out.add("'");
        } else {
            out.add(w);
        }
    }
}
