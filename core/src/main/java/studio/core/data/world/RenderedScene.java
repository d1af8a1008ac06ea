package studio.core.data.world;

import java.util.List;
import java.util.Optional;
import studio.core.image.RgbImage;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.MaskGeometry;

/**
 * A scene drawn at one size: the picture, the panoptic id mask, and one {@link Segment} per id
 * (stuff first, top to bottom, then things in z-order). Regions or things with no pixel left are
 * not segments (WORLD.md: "a thing fully hidden is not in the annotations").
 */
public record RenderedScene(Scene scene, int size, RgbImage image, IdMask mask, List<Segment> segments) {
    public RenderedScene {
        segments = List.copyOf(segments);
    }

    /**
     * One visible segment. {@code sceneIndex} indexes {@code scene.stuff()} or {@code scene.things()};
     * {@code fullArea} is the pixel count the thing would have unoccluded; {@code covers} lists the
     * ids of thing segments this thing is drawn over (their pixels became its own).
     */
    public record Segment(int id, boolean thing, int sceneIndex, MaskGeometry geometry, long fullArea, List<Integer> covers) {
        public Segment {
            covers = List.copyOf(covers);
        }
    }

    public List<Segment> things() {
        return segments.stream().filter(Segment::thing).toList();
    }

    public List<Segment> stuff() {
        return segments.stream().filter(s -> !s.thing()).toList();
    }

    public Scene.Thing thingOf(Segment s) {
        return scene.things().get(s.sceneIndex());
    }

    public Scene.StuffRegion stuffOf(Segment s) {
        return scene.stuff().get(s.sceneIndex());
    }

    public int categoryId(Segment s) {
        return s.thing() ? thingOf(s).shape().categoryId() : stuffOf(s).kind().categoryId();
    }

    /** The stuff segment whose region holds the given point (fractions), if that region is visible. */
    public Optional<Segment> stuffAt(double v) {
        return stuff().stream().filter(s -> v >= stuffOf(s).top() && v < stuffOf(s).bottom()).findFirst();
    }
}
