package studio.captioner.pancap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import studio.core.data.caption.GroundedCaption;
import studio.core.data.caption.TagParser;
import studio.core.data.world.WorldGenerator;

class VocabularyTest {
    @Test
    void worldCaptionsRoundTripThroughTokensWithTheirTags() {
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            captions.add(WorldGenerator.sample(0, i, 32).caption());
        }
        Vocabulary v = Vocabulary.build(captions, 1);
        for (String caption : captions) {
            Vocabulary.Tokens t = v.encode(caption, 1000);
            int n = t.ids().length;
            String back = v.decode(java.util.Arrays.copyOfRange(t.ids(), 1, n), java.util.Arrays.copyOfRange(t.pointers(), 1, n));
            GroundedCaption a = TagParser.parse(caption, "world");
            GroundedCaption b = TagParser.parse(back, "decoded");
            assertEquals(a.plain().toLowerCase(Locale.ROOT), b.plain().toLowerCase(Locale.ROOT));
            assertEquals(a.phrases().size(), b.phrases().size());
            for (int p = 0; p < a.phrases().size(); p++) {
                assertEquals(a.phrases().get(p).segmentIds(), b.phrases().get(p).segmentIds());
            }
        }
    }

    @Test
    void phrasesAlignWithTheirClassByCosine() {
        PhraseAligner a = new PhraseAligner(WorldGenerator.categories().stream().map(c -> c.name()).toList());
        assertEquals("circle", a.classNames().get((int) a.align("two small red circles")[0]));
        assertEquals("sea", a.classNames().get((int) a.align("the calm sea")[0]));
        assertEquals("crescent", a.classNames().get((int) a.align("a medium-sized blue crescent")[0]));
        assertTrue(a.align("the open sky")[1] > PancapCaptioner.ALIGN_MIN_COSINE);
    }
}
