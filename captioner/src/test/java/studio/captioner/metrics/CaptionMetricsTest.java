package studio.captioner.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** BLEU, ROUGE-L and CIDEr-D against tools/reference/captioner/caption_reference.py (a transcription of coco-caption). */
class CaptionMetricsTest {
    private static final double TOLERANCE = 1e-12;

    @Test
    void matchesTheReferenceTranscriptionOnTheFixture() throws Exception {
        JsonNode f;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/caption_fixture.json")) {
            f = new ObjectMapper().readTree(in);
        }
        Map<String, List<String>> refs = new TreeMap<>();
        Map<String, String> hyps = new TreeMap<>();
        f.get("refs").fields().forEachRemaining(e -> {
            List<String> list = new ArrayList<>();
            e.getValue().forEach(r -> list.add(r.asText()));
            refs.put(e.getKey(), list);
        });
        f.get("hyps").fields().forEachRemaining(e -> hyps.put(e.getKey(), e.getValue().asText()));
        CaptionMetrics.Scores s = CaptionMetrics.scoreTokenized(refs, hyps);
        JsonNode x = f.get("expected");
        double[] bleu = {s.bleu1(), s.bleu2(), s.bleu3(), s.bleu4()};
        for (int n = 0; n < 4; n++) {
            assertEquals(x.get("bleu").get(n).asDouble(), bleu[n], TOLERANCE, "BLEU-" + (n + 1));
        }
        assertEquals(x.get("rouge_l").asDouble(), s.rougeL(), TOLERANCE);
        assertEquals(x.get("cider_d").asDouble(), s.ciderD(), TOLERANCE);
    }

    @Test
    void identicalCaptionsScoreOneExceptCiderOnASingleImage() {
        Map<String, List<String>> refs = Map.of("a", List.of("a red circle on grass"), "b", List.of("two blue stars over the sea"));
        Map<String, String> hyps = Map.of("a", "a red circle on grass", "b", "two blue stars over the sea");
        CaptionMetrics.Scores s = CaptionMetrics.scoreTokenized(refs, hyps);
        assertEquals(1.0, s.bleu4(), 1e-9);
        assertEquals(1.0, s.rougeL(), 1e-12);
        // every n-gram occurs in exactly one of the two documents: idf = log 2, cosine 1, x10
        assertEquals(10.0, s.ciderD(), 1e-9);
    }

    @Test
    void brevityPenaltyAndClosestReferenceLength() {
        // candidate of 3 words, references of 4 and 8 words: closest is 4, BP = exp(1 - 4/3)
        Map<String, List<String>> refs = Map.of("a", List.of("a red circle here", "a red circle here on the green grass"));
        double[] b = Bleu.corpus(refs, Map.of("a", "a red circle"));
        assertEquals(Math.exp(1 - 4.0 / 3), b[0], 1e-9);
    }

    @Test
    void rougeLIsTheWeightedLcsF() {
        // lcs("a b c d", "a c e") = 2: P = 2/3, R = 2/4
        double p = 2 / 3.0;
        double r = 0.5;
        double expected = (1 + 1.44) * p * r / (r + 1.44 * p);
        assertEquals(expected, RougeL.score("a c e", List.of("a b c d")), 1e-12);
    }
}
