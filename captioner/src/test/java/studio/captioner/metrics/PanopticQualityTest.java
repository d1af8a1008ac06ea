package studio.captioner.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import studio.core.BadInputException;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.SegmentInfo;

/** PQ against tools/reference/captioner/pq_reference.py (a transcription of panopticapi's evaluation.py). */
class PanopticQualityTest {
    private static final double TOLERANCE = 1e-12;

    static JsonNode fixture() throws Exception {
        try (InputStream in = PanopticQualityTest.class.getResourceAsStream("/fixtures/pq_fixture.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Map<Integer, Category> categories(JsonNode f) {
        Map<Integer, Category> out = new LinkedHashMap<>();
        f.get("categories").forEach(c -> out.put(c.get("id").asInt(),
                new Category(c.get("id").asInt(), c.get("name").asText(), c.get("isthing").asInt(), "", List.of(0, 0, 0))));
        return out;
    }

    static List<SegmentInfo> segments(JsonNode list) {
        List<SegmentInfo> out = new ArrayList<>();
        list.forEach(s -> out.add(new SegmentInfo(s.get("id").asLong(), s.get("category_id").asInt(), s.get("iscrowd").asInt(), null,
                s.has("area") ? s.get("area").asLong() : null, null)));
        return out;
    }

    static IdMask mask(JsonNode img, String field) {
        int[] ids = new int[img.get(field).size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = img.get(field).get(i).asInt();
        }
        return new IdMask(img.get("width").asInt(), img.get("height").asInt(), ids);
    }

    @Test
    void matchesTheReferenceTranscriptionOnTheFixture() throws Exception {
        JsonNode f = fixture();
        PanopticQuality pq = new PanopticQuality(categories(f));
        for (JsonNode img : f.get("images")) {
            pq.add(new PanopticQuality.ImagePair(img.get("name").asText(), mask(img, "gt_ids"), segments(img.get("gt_segments")),
                    mask(img, "pred_ids"), segments(img.get("pred_segments"))));
        }
        JsonNode x = f.get("expected");
        check(x.get("All"), pq.average(null));
        check(x.get("Things"), pq.average(true));
        check(x.get("Stuff"), pq.average(false));
        x.get("counts").fields().forEachRemaining(e -> {
            PanopticQuality.Stat s = pq.perCategory().get(Integer.parseInt(e.getKey()));
            assertEquals(e.getValue().get(0).asInt(), s.tp(), "tp of " + e.getKey());
            assertEquals(e.getValue().get(1).asInt(), s.fp(), "fp of " + e.getKey());
            assertEquals(e.getValue().get(2).asInt(), s.fn(), "fn of " + e.getKey());
        });
    }

    private static void check(JsonNode expected, PanopticQuality.Summary s) {
        assertEquals(expected.get("pq").asDouble(), s.pq(), TOLERANCE);
        assertEquals(expected.get("sq").asDouble(), s.sq(), TOLERANCE);
        assertEquals(expected.get("rq").asDouble(), s.rq(), TOLERANCE);
        assertEquals(expected.get("n").asInt(), s.n());
    }

    @Test
    void voidPixelsLeaveTheUnionAndMostlyVoidPredictionsAreIgnored() {
        Map<Integer, Category> cats = Map.of(1, new Category(1, "circle", 1, "", List.of(0, 0, 0)));
        // gt: one 4-px segment at ids[0..3], void elsewhere; pred covers it plus 4 void px: IoU = 4 / (8 + 4 - 4 - 4) = 1
        int[] gt = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
        int[] pred = {1, 1, 1, 1, 1, 1, 1, 1, 2, 2};
        PanopticQuality pq = new PanopticQuality(cats);
        pq.add(new PanopticQuality.ImagePair("x", new IdMask(10, 1, gt), List.of(new SegmentInfo(1, 1, 0, 1, 4L, null)),
                new IdMask(10, 1, pred), List.of(new SegmentInfo(1, 1, 0, 1, null, null), new SegmentInfo(2, 1, 0, 1, null, null))));
        PanopticQuality.Summary s = pq.average(null);
        assertEquals(1.0, s.pq(), 1e-12); // segment 2 lies wholly on void: not a false positive
        assertEquals(0, pq.perCategory().get(1).fp());
    }

    @Test
    void predictedIdsMustMatchTheirJson() {
        Map<Integer, Category> cats = Map.of(1, new Category(1, "circle", 1, "", List.of(0, 0, 0)));
        PanopticQuality pq = new PanopticQuality(cats);
        IdMask m = new IdMask(2, 1, new int[] {1, 3});
        assertThrows(BadInputException.class, () -> pq.add(new PanopticQuality.ImagePair("x", m,
                List.of(new SegmentInfo(1, 1, 0, 1, 1L, null), new SegmentInfo(3, 1, 0, 1, 1L, null)), m,
                List.of(new SegmentInfo(1, 1, 0, 1, null, null)))));
    }
}
