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
    void anyTokenSequenceDecodesToWellFormedTags() {
        Vocabulary v = Vocabulary.build(List.of("<0: the sky> is blue ."), 1);
        int ptr = Vocabulary.PTR_ID;
        int close = Vocabulary.CLOSE_ID;
        int the = v.id("the");
        int sky = v.id("sky");
        // a tag left open at the end, a pointer run cutting a phrase, a stray close, an empty tag, a repeated number
        int[] ids = {ptr, the, sky, ptr, ptr, sky, close, close, ptr, close, the, ptr, ptr, sky};
        int[] ptrs = {0, -1, -1, 1, 2, -1, -1, -1, 3, -1, -1, 4, 4, -1};
        String text = v.decode(ids, ptrs);
        assertEquals("<0: The sky> <1,2: sky> the <4: sky>", text);
        GroundedCaption g = TagParser.parse(text, "decoded");
        assertEquals(3, g.phrases().size());
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
