package studio.core.data.caption;

import java.util.List;

/**
 * One grounded phrase of a caption: its text, where it sits in the plain caption ({@code start}
 * inclusive, {@code end} exclusive, in chars), and the tag numbers written in its tag, in order.
 * Segment ids come from {@link TagConvention}.
 */
public record Phrase(String text, int start, int end, List<Long> tagNumbers) {
    public Phrase {
        tagNumbers = List.copyOf(tagNumbers);
        if (start < 0 || end < start || end - start != text.length()) {
            throw new IllegalArgumentException("span [" + start + ", " + end + ") does not fit phrase '" + text + "'");
        }
        if (tagNumbers.isEmpty()) {
            throw new IllegalArgumentException("a phrase needs at least one tag number");
        }
    }

    /** The panoptic segment ids this phrase is grounded to, in tag order. */
    public List<Long> segmentIds() {
        return tagNumbers.stream().map(TagConvention::segmentId).toList();
    }
}
