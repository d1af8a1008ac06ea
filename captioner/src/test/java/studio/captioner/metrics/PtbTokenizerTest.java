package studio.captioner.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected tokens follow Stanford PTBTokenizer 3.4.1 (-lowerCase) followed by coco-caption's punctuation filter. */
class PtbTokenizerTest {
    @Test
    void lowerCasesAndDropsPunctuation() {
        assertEquals("the sky blue", PtbTokenizer.tokenize("The sky, blue."));
        assertEquals(List.of("a", "small", "red", "circle", "sits", "at", "the", "top", "left"),
                PtbTokenizer.tokens("A small red circle sits at the top left."));
    }

    @Test
    void splitsCliticsAndKeepsHyphensAndDecimals() {
        assertEquals(List.of("it", "'s", "a", "medium-sized", "star", "do", "n't", "move", "0.5", "m"),
                PtbTokenizer.tokens("It's a medium-sized star; don't move 0.5 m!"));
    }

    @Test
    void bracketsAndQuotesAreDroppedAsTheReferenceListSays() {
        assertEquals(List.of("a", "ring", "hollow", "in", "the", "middle"), PtbTokenizer.tokens("A ring (hollow in the middle) \"...\""));
        assertEquals(List.of("from", "left", "to", "right"), PtbTokenizer.tokens("From left to right --"));
    }
}
