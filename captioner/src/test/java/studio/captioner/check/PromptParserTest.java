package studio.captioner.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import studio.core.data.world.WorldGenerator;

class PromptParserTest {
    private final PromptParser parser = new PromptParser(WorldGenerator.categories());

    @Test
    void genevalStylePrompts() {
        PromptParser.Extraction two = parser.parse("a photo of two red circles and a star");
        assertEquals(2, two.entities().size());
        assertEquals(new PromptEntity(0, "circle", true, "red", 2, List.of(), "two red circles"), two.entities().get(0));
        assertEquals(1, two.entities().get(1).count());
        assertNull(two.entities().get(1).colour());

        PromptParser.Extraction pos = parser.parse("a photo of a star right of a ring");
        assertEquals(List.of(new PromptRelation(0, "right of", 1, "a star right of a ring")), pos.relations());
    }

    @Test
    void captionsMergeMentionsAndAttachPositions() {
        PromptParser.Extraction ex = parser.parse("<0: The sky> is clear. You can see <2: a small pink heart> at the top right, against "
                + "<0: the sky>. <3,4: Two large red hearts> appear. <2: The pink heart> sits higher up than <3: the red heart at the bottom>. "
                + "The heart has the classic rounded heart outline.");
        assertEquals(3, ex.entities().size());
        PromptEntity pink = ex.entities().get(1);
        assertEquals("pink", pink.colour());
        assertEquals(List.of(new PromptEntity.Position(2, 0, "at the top right")), pink.positions());
        assertEquals(2, ex.entities().get(2).count());
        assertEquals(List.of(new PromptRelation(1, "above", 2, "the pink heart sits higher up than the red heart")), ex.relations());
    }

    @Test
    void positionsConstrainOnlyWhatTheySay() {
        PromptEntity.Position left = parser.parse("a circle on the left").entities().get(0).positions().get(0);
        assertEquals(new PromptEntity.Position(0, null, "on the left"), left);
        PromptEntity.Position top = parser.parse("a circle near the top").entities().get(0).positions().get(0);
        assertEquals(new PromptEntity.Position(null, 0, "near the top"), top);
    }

    @Test
    void pluralsFollowEnglishSpelling() {
        assertEquals("crosses", PromptParser.plural("cross"));
        assertEquals("circles", PromptParser.plural("circle"));
        assertEquals("skies", PromptParser.plural("sky"));
    }
}
