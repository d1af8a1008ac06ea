package studio.core.data.panoptic;

import java.util.List;
import java.util.Optional;

/**
 * One {@code annotations} entry: the id PNG of an image and its segments. {@code line} is where the
 * entry starts in the JSON file (1-based; 0 when it was not read from a file), so messages can name it.
 */
public record PanopticAnnotation(long imageId, String fileName, List<SegmentInfo> segments, int line) {
    public PanopticAnnotation {
        segments = List.copyOf(segments);
    }

    public Optional<SegmentInfo> segment(long id) {
        return segments.stream().filter(s -> s.id() == id).findFirst();
    }
}
