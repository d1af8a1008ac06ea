package studio.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** DJL's Unigram run of the tiny tokenizer_3/tokenizer.json equals SentencePiece's ids (text_reference.py). */
class T5TokenizerTest {

    @Test
    void idsMatchSentencePiece() throws Exception {
        JsonNode rows = new ObjectMapper().readTree(TextFixtures.path("tokens_tiny.json").toFile());
        int equal = 0;
        StringBuilder diffs = new StringBuilder();
        try (T5Tokenizer tok = T5Tokenizer.load(TextFixtures.tiny().resolve("tokenizer_3"))) {
            for (JsonNode row : rows) {
                int[] expected = new int[row.get("t5").size()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = row.get("t5").get(i).asInt();
                }
                int[] actual = tok.encode(row.get("text").asText()).ids();
                if (java.util.Arrays.equals(expected, actual)) {
                    equal++;
                } else {
                    diffs.append(row.get("text").asText()).append(": ").append(java.util.Arrays.toString(actual))
                            .append(" vs ").append(java.util.Arrays.toString(expected)).append('\n');
                }
            }
        }
        System.out.printf("tokens t5 (DJL vs sentencepiece)  %d/%d strings with identical ids%n", equal, rows.size());
        assertEquals("", diffs.toString());
    }

    @Test
    void idsAreCutToLengthMinusOneThenEosThenPads() throws Exception {
        try (T5Tokenizer tok = T5Tokenizer.load(TextFixtures.tiny().resolve("tokenizer_3"))) {
            assertEquals(1, tok.eos());
            assertEquals(0, tok.pad());
            TokenizedText t = tok.encode("a red cube on top of a blue sphere");
            long[] row = tok.ids(t, t.size() + 3);
            assertEquals(1, row[t.size()]);
            assertArrayEquals(new long[] {0, 0}, java.util.Arrays.copyOfRange(row, t.size() + 1, t.size() + 3));
            long[] cut = tok.ids(t, 4);
            assertArrayEquals(new long[] {t.ids()[0], t.ids()[1], t.ids()[2], 1}, cut);
            assertEquals("a red cube on top of a blue sphere".substring(t.starts()[3]), t.textFrom(3));
            assertArrayEquals(new long[] {1, 0, 0}, tok.ids(tok.encode(""), 3));
            String emoji = "\uD83D\uDE00\uD83D\uDC36 caf\u00e9 dog";
            TokenizedText e = tok.encode(emoji);
            // starts are UTF-16 indices of the Java string, past the two astral emoji (4 chars)
            int dog = emoji.indexOf(" dog");
            boolean found = false;
            for (int i = 0; i < e.size(); i++) {
                found |= e.starts()[i] == dog || e.starts()[i] == dog + 1;
            }
            org.junit.jupiter.api.Assertions.assertTrue(found, java.util.Arrays.toString(e.starts()));
        }
    }
}
