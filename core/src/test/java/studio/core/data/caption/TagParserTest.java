package studio.core.data.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TagParserTest {
    @Test
    void plainTextSpansAndSegmentIds() {
        GroundedCaption c = TagParser.parse("The <0: blue sky> is above <3,4: two small red circles>.", "t");
        assertEquals("The blue sky is above two small red circles.", c.plain());
        assertEquals(2, c.phrases().size());
        Phrase sky = c.phrases().get(0);
        assertEquals("blue sky", c.plain().substring(sky.start(), sky.end()));
        assertEquals(List.of(0L), sky.tagNumbers());
        assertEquals(List.of(1L), sky.segmentIds());
        Phrase circles = c.phrases().get(1);
        assertEquals(22, circles.start());
        assertEquals(List.of(4L, 5L), circles.segmentIds());
        assertEquals(9, c.wordCount());
    }

    /** The spacing variants quoted in EVAL.md §3.2 and their neighbours. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "< 62,63,48: Additional people>|Additional people|62;63;48",
        "<0:light colored wall>|light colored wall|0",
        "<62 , 63 ,48 :Additional people >|Additional people|62;63;48",
        "<  7  :   a  dog  >|a  dog|7",
        "<1,2,3: x>|x|1;2;3",
    })
    void freeSpacesAroundNumbersAndPhrase(String tagged, String phrase, String numbers) {
        GroundedCaption c = TagParser.parse("See " + tagged + " here", "t");
        assertEquals("See " + phrase + " here", c.plain());
        Phrase p = c.phrases().get(0);
        assertEquals(phrase, p.text());
        List<Long> expected = java.util.Arrays.stream(numbers.split(";")).map(Long::valueOf).toList();
        assertEquals(expected, p.tagNumbers());
    }

    @Test
    void tabsAndNewlinesAreSpacesToo() {
        GroundedCaption c = TagParser.parse("two <\t4\n,5 :\ttwo cats\n> sit", "t");
        assertEquals("two two cats sit", c.plain());
        assertEquals(List.of(5L, 6L), c.phrases().get(0).segmentIds());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a <b: x> c|expected a segment number",
        "a <1 x> c|expected ',' or ':'",
        "a <1,: x> c|expected a segment number",
        "a <1: x c|unclosed tag",
        "a <1: x <2: y> c|'<' inside a tag",
        "a <1:   > c|empty phrase",
        "a > b|'>' outside a tag",
        "a <|expected a segment number",
        "a <1|unclosed tag",
        "a <1234567890: x>|more than 9 digits",
        "a <-1: x>|expected a segment number",
    })
    void malformedTagsNameLineColumnAndTag(String text, String problem) {
        TagSyntaxException e = assertThrows(TagSyntaxException.class, () -> TagParser.parse(text, "cap.txt"));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().startsWith("cap.txt:1: column "), e.getMessage());
        assertEquals(text.indexOf(text.contains("<") ? '<' : '>') + 1, e.column());
    }

    @Test
    void errorLineCountsNewlines() {
        TagSyntaxException e = assertThrows(TagSyntaxException.class,
                () -> TagParser.parse("first line\nsecond <0: ok>\nthird <x: bad>", "c.txt"));
        assertEquals(3, e.line());
        assertEquals(7, e.column());
        assertEquals("<x", e.tagText());
        assertEquals("c.txt:3", e.where());
    }

    @Test
    void nullAndEmptyText() {
        assertThrows(TagSyntaxException.class, () -> TagParser.parse(null, "t"));
        GroundedCaption empty = TagParser.parse("   ", "t");
        assertEquals("", empty.plain());
        assertEquals(0, empty.wordCount());
    }

    @Test
    void writerIsCanonicalAndRoundTrips() {
        String messy = "  A < 2 ,3:  pair of stars > and <0:sky>.\n";
        GroundedCaption c = TagParser.parse(messy, "t");
        String canonical = TagWriter.format(c);
        assertEquals("A <2,3: pair of stars> and <0: sky>.", canonical);
        assertEquals(c, TagParser.parse(canonical, "t"));
        assertEquals(canonical, TagWriter.format(TagParser.parse(canonical, "t")));
    }

    @Test
    void conventionIsZeroBasedMarksIndex() {
        assertEquals(1, TagConvention.segmentId(0));
        assertEquals(0, TagConvention.tagNumber(1));
        assertThrows(IllegalArgumentException.class, () -> TagConvention.tagNumber(0));
    }
}
