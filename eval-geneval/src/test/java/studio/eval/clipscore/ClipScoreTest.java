package studio.eval.clipscore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipScoreTest {
    /**
     * A fake text tower: one token per word plus start and end; the embedding of a text is [1, 0] if it
     * mentions "red", [0, 1] otherwise; it records what it was asked to embed.
     */
    static final class WordTower implements TextEmbedder {
        final int max;
        final List<String> embedded = new ArrayList<>();

        WordTower(int max) {
            this.max = max;
        }

        @Override
        public int maxTokens() {
            return max;
        }

        @Override
        public int tokenCount(String text) {
            return text.isBlank() ? 2 : text.trim().split("\\s+").length + 2;
        }

        @Override
        public float[] embed(String text) {
            embedded.add(text);
            return text.contains("red") ? new float[] {1, 0} : new float[] {0, 1};
        }
    }

    static final float[] RED_IMAGE = {1, 0};

    @Test
    void conventionsOnTheSameCosines() {
        double[] cosines = {0.3, -0.1, 0.25};
        assertEquals(100 * (0.3 - 0.1 + 0.25) / 3, Convention.TORCHMETRICS.corpus(cosines), 1e-12);
        assertEquals(2.5 * (0.3 + 0 + 0.25) / 3, Convention.HESSEL.corpus(cosines), 1e-12);
        // torchmetrics clamps after the mean, Hessel per image.
        assertEquals(0, Convention.TORCHMETRICS.corpus(new double[] {-0.2, 0.1}));
        assertEquals(0.25, Convention.HESSEL.corpus(new double[] {-0.2, 0.2}), 1e-12);
        assertEquals(75, Convention.HESSEL.perImage(0.3) * 100, 1e-9);
    }

    @Test
    void cosineIsScaleFree() {
        assertEquals(1, CaptionCosine.cosine(new float[] {3, 4}, new float[] {6, 8}), 1e-15);
        assertEquals(0.6, CaptionCosine.cosine(new float[] {1, 0}, new float[] {3, 4}), 1e-15);
    }

    @Test
    void tagsAreReplacedByTheirPhrases() {
        assertEquals("A red bus parks by light colored wall and Additional people.",
                CaptionText.stripTags("A <3: red bus> parks by <0:light colored wall> and < 62,63,48: Additional people>."));
        assertEquals("no tags here < 5 > stays", CaptionText.stripTags("no tags here < 5 > stays"));
    }

    @Test
    void sentencesSplitAtEndPunctuationAndLineBreaks() {
        assertEquals(List.of("A bus.", "Is it red?", "Yes!", "A new line"), CaptionText.sentences(" A bus. Is it red?  Yes!\nA new line "));
        assertEquals(List.of("3.5 metres tall."), CaptionText.sentences("3.5 metres tall."));
    }

    @Test
    void aCaptionThatFitsIsScoredWholeWithTheConventionsPrefix() {
        WordTower tower = new WordTower(77);
        CaptionCosine c = CaptionCosine.of(RED_IMAGE, "a <1: red bus>", tower, Convention.HESSEL);
        assertEquals(new CaptionCosine(1, true, 1, 0, 0), c);
        assertEquals(List.of("A photo depicts a red bus"), tower.embedded);
    }

    @Test
    void aLongCaptionIsAveragedOverSentencesAndTruncationIsCounted() {
        WordTower tower = new WordTower(8);
        String caption = "A <0: red bus> stops. The <1: sky> is grey and wide and very very cloudy today. Trees.";
        CaptionCosine c = CaptionCosine.of(RED_IMAGE, caption, tower, Convention.TORCHMETRICS);
        // Sentences: "A red bus stops." (6 tokens), the sky sentence (13 tokens: 5 dropped), "Trees." (3).
        assertEquals(new CaptionCosine(1.0 / 3, false, 3, 1, 5), c);
        assertEquals(List.of("A red bus stops.", "The sky is grey and wide and very very cloudy today.", "Trees."), tower.embedded);
        ClipScoreSummary summary = ClipScoreSummary.of(Convention.TORCHMETRICS,
                List.of(c, CaptionCosine.of(RED_IMAGE, "red", tower, Convention.TORCHMETRICS)));
        assertEquals(100 * (1.0 / 3 + 1) / 2, summary.score(), 1e-12);
        assertEquals(1, summary.captionsSplit());
        assertEquals(1, summary.piecesTruncated());
        assertEquals(5, summary.droppedTokens());
        assertEquals("torchmetrics: 100*cos, max(mean, 0)", summary.label());
    }
}
