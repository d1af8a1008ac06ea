package studio.core.data.caption;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A caption with its grounding: the plain text (tags removed, phrases kept) and the phrases with
 * their spans in that plain text. {@link TagWriter} turns it back into tagged text.
 */
public record GroundedCaption(String plain, List<Phrase> phrases) {
    public GroundedCaption {
        phrases = List.copyOf(phrases);
        int previousEnd = 0;
        for (Phrase p : phrases) {
            if (p.start() < previousEnd || p.end() > plain.length() || !plain.substring(p.start(), p.end()).equals(p.text())) {
                throw new IllegalArgumentException("phrase '" + p.text() + "' does not sit at [" + p.start() + ", " + p.end() + ")");
            }
            previousEnd = p.end();
        }
    }

    /** Every segment id named by any tag, ascending. */
    public Set<Long> segmentIds() {
        Set<Long> ids = new TreeSet<>();
        phrases.forEach(p -> ids.addAll(p.segmentIds()));
        return ids;
    }

    /** Words of the plain text (runs of non-whitespace): the measure of "words per caption". */
    public int wordCount() {
        return countWords(plain);
    }

    public static int countWords(String text) {
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
        }
        return words;
    }
}
