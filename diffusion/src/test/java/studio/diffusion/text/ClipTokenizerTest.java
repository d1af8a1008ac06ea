package studio.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Token ids equal to tools/reference/text_reference.py (openai simple_tokenizer transcription) on the
 * committed tricky strings: with the tiny committed vocabulary always, with the real merges from
 * ../shared when present.
 */
class ClipTokenizerTest {

    static int assertSameIds(ClipTokenizer tok, String fixture, String key) throws Exception {
        JsonNode rows = new ObjectMapper().readTree(TextFixtures.path(fixture).toFile());
        int equal = 0;
        for (JsonNode row : rows) {
            String text = row.get("text").asText();
            int[] expected = new int[row.get(key).size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = row.get(key).get(i).asInt();
            }
            assertArrayEquals(expected, tok.encode(text).ids(), "ids of " + text);
            equal++;
        }
        System.out.printf("tokens %-24s %d/%d strings with identical ids%n", fixture, equal, rows.size());
        return equal;
    }

    @Test
    void tinyVocabularyIdsMatchReference() throws Exception {
        assertEquals(25, assertSameIds(ClipTokenizer.load(TextFixtures.tiny().resolve("tokenizer")),
                "tokens_tiny.json", "clip"));
    }

    @Test
    void realMergesIdsMatchReference() throws Exception {
        Path gz = TextFixtures.realMerges();
        assumeTrue(gz != null, "../shared/data/clip/bpe_simple_vocab_16e6.txt.gz absent");
        ClipTokenizer tok = ClipTokenizer.fromOpenAiMerges(gz, ClipTokenizer.EOS_TEXT);
        assertEquals(49406, tok.bos());
        assertEquals(49407, tok.eos());
        assertEquals(49407, tok.pad());
        assertEquals(0, ClipTokenizer.fromOpenAiMerges(gz, "!").pad());
        assertEquals(25, assertSameIds(tok, "tokens_clip_real.json", "clip"));
    }

    @Test
    void padTokensDifferPerFolder() throws Exception {
        ClipTokenizer l = ClipTokenizer.load(TextFixtures.tiny().resolve("tokenizer"));
        ClipTokenizer g = ClipTokenizer.load(TextFixtures.tiny().resolve("tokenizer_2"));
        assertEquals(l.eos(), l.pad());
        assertEquals(0, g.pad());
        long[][] rows = g.chunks(new int[] {5, 6}, 2);
        assertArrayEquals(new long[] {g.bos(), 5, 6, g.eos(), 0, 0}, java.util.Arrays.copyOf(rows[0], 6));
        assertArrayEquals(new long[] {g.bos(), g.eos(), 0}, java.util.Arrays.copyOf(rows[1], 3));
    }

    @Test
    void chunksHoldSeventyFiveTokensEach() throws Exception {
        ClipTokenizer l = ClipTokenizer.load(TextFixtures.tiny().resolve("tokenizer"));
        int[] ids = new int[160];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        assertEquals(3, ClipTokenizer.chunksFor(160));
        assertEquals(1, ClipTokenizer.chunksFor(0));
        assertEquals(1, ClipTokenizer.chunksFor(75));
        assertEquals(2, ClipTokenizer.chunksFor(76));
        long[][] rows = l.chunks(ids, 3);
        assertEquals(75, rows[1][1]);
        assertEquals(149, rows[1][75]);
        assertEquals(l.eos(), rows[1][76]);
        assertEquals(150, rows[2][1]);
        assertEquals(l.eos(), rows[2][11]);
        assertEquals(l.pad(), rows[2][12]);
    }

    @Test
    void tokenStartsPointIntoThePromptAsTyped() throws Exception {
        ClipTokenizer l = ClipTokenizer.load(TextFixtures.tiny().resolve("tokenizer"));
        String prompt = "  A  &amp; Caf\u00e9\tCAT!!";
        TokenizedText t = l.encode(prompt);
        // "&amp;" is one token "&" after unescaping; it starts at the '&' as typed
        assertEquals("&amp; Caf\u00e9\tCAT!!", t.textFrom(indexOfStart(t, prompt.indexOf('&'))));
        assertEquals("CAT!!", t.textFrom(indexOfStart(t, prompt.indexOf("CAT"))));
        assertEquals("!!", t.textFrom(indexOfStart(t, prompt.indexOf('!'))));
        assertEquals(prompt.substring(t.starts()[t.size() - 1]), t.textFrom(t.size() - 1));
        assertEquals("", t.textFrom(t.size()));
    }

    private static int indexOfStart(TokenizedText t, int charIndex) {
        for (int i = 0; i < t.size(); i++) {
            if (t.starts()[i] == charIndex) {
                return i;
            }
        }
        throw new AssertionError("no token starts at " + charIndex + " in " + java.util.Arrays.toString(t.starts()));
    }
}
