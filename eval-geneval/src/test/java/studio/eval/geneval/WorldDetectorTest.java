package studio.eval.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import studio.captioner.GroundedResult;
import studio.core.data.panoptic.BBox;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.IdMask;

/** The world detector's adapter on a hand-made panoptic result: things only, names, scores, mmdet boxes, masks. */
class WorldDetectorTest {
    @Test
    void thingSegmentsBecomeDetectionsWithMaskBoxesAndClassConfidence() {
        // 6 wide, 4 high: sky (1) everywhere except a circle (2) at x 1..2, y 1..2 and a star (3) at x 4, y 0..3.
        int[] ids = {
            1, 1, 1, 1, 3, 1,
            1, 2, 2, 1, 3, 1,
            1, 2, 1, 1, 3, 1,
            1, 1, 1, 1, 3, 1};
        Map<Integer, Category> cats = Map.of(1, new Category(1, "circle", 1, "shape", List.of(1, 2, 3)),
                4, new Category(4, "star", 1, "shape", List.of(1, 2, 3)), 11, new Category(11, "sky", 0, "sky", List.of(1, 2, 3)));
        GroundedResult r = new GroundedResult(new IdMask(6, 4, ids), List.of(
                new GroundedResult.Segment(1, 11, "sky", false, 0.99, 17, new BBox(0, 0, 6, 4)),
                new GroundedResult.Segment(2, 1, "circle", true, 0.62, 3, new BBox(1, 1, 2, 2)),
                new GroundedResult.Segment(3, 4, "star", true, 0.95, 4, new BBox(4, 0, 1, 4))), "", cats);
        List<Detection> d = WorldDetector.detections(r);
        assertEquals(2, d.size());
        Detection circle = d.get(0);
        assertEquals("circle", circle.className());
        assertEquals(0.62, circle.score());
        assertEquals(new Box(1, 1, 3, 3), circle.box()); // mmdet mask2bbox: [x_min, y_min, x_max + 1, y_max + 1]
        assertEquals(3, circle.mask().area());
        assertTrue(circle.mask().inside(1, 1) && circle.mask().inside(2, 1) && circle.mask().inside(1, 2));
        assertFalse(circle.mask().inside(2, 2));
        assertEquals(null, circle.color());
        Detection star = d.get(1);
        assertEquals("star", star.className());
        assertEquals(new Box(4, 0, 5, 4), star.box());
        assertEquals(4, star.mask().area());
        assertEquals(6, star.mask().width());
        assertEquals(4, star.mask().height());
    }

    @Test
    void anImageWithOnlyStuffHasNoDetections() {
        GroundedResult r = new GroundedResult(new IdMask(2, 1, new int[] {1, 1}),
                List.of(new GroundedResult.Segment(1, 11, "sea", false, 0.9, 2, new BBox(0, 0, 2, 1))), "",
                Map.of(11, new Category(11, "sea", 0, "water", List.of(0, 0, 0))));
        assertEquals(List.of(), WorldDetector.detections(r));
    }
}
