package studio.captioner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import studio.core.BadInputException;
import studio.core.data.caption.GroundedCaption;
import studio.core.data.caption.Phrase;
import studio.core.data.caption.TagParser;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.SegmentInfo;

/**
 * What a {@link Captioner} returns: a panoptic id mask (segments do not overlap; 0 = void), one
 * {@link Segment} per id in it, the categories the classes come from, and the caption text with
 * grounding tags. Tag numbers follow {@link studio.core.data.caption.TagConvention}
 * (segment id = tag + 1), the convention of the data the studio reads and writes.
 */
public record GroundedResult(IdMask mask, List<Segment> segments, String caption, Map<Integer, Category> categories) {
    public GroundedResult {
        segments = List.copyOf(segments);
        categories = Map.copyOf(categories);
        for (Segment s : segments) {
            if (!categories.containsKey(s.categoryId())) {
                throw new IllegalArgumentException("segment " + s.id() + " has unknown category " + s.categoryId());
            }
        }
    }

    /** One panoptic segment: id in the mask, class, thing or stuff, confidence, area and box (pixels, inclusive). */
    public record Segment(long id, int categoryId, String className, boolean isThing, double score, long area,
            studio.core.data.panoptic.BBox box) {
        public SegmentInfo toSegmentInfo() {
            return new SegmentInfo(id, categoryId, 0, isThing ? 1 : 0, area, box);
        }
    }

    /** The caption parsed; a captioner that writes malformed tags is reported as bad output naming it. */
    public GroundedCaption parsedCaption(String source) {
        try {
            return TagParser.parse(caption, source);
        } catch (RuntimeException e) {
            throw new BadInputException(source, "caption has malformed grounding tags: " + e.getMessage());
        }
    }

    public Optional<Segment> segment(long id) {
        return segments.stream().filter(s -> s.id() == id).findFirst();
    }

    /** Phrases grounded to a segment (in caption order). */
    public List<Phrase> phrasesOf(long id, String source) {
        List<Phrase> out = new ArrayList<>();
        for (Phrase p : parsedCaption(source).phrases()) {
            if (p.segmentIds().contains(id)) {
                out.add(p);
            }
        }
        return out;
    }

    public List<SegmentInfo> segmentInfos() {
        return segments.stream().map(Segment::toSegmentInfo).toList();
    }
}
