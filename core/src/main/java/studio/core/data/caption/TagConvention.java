package studio.core.data.caption;

/**
 * The one place that decides how a grounding tag number maps to a panoptic segment id.
 *
 * <p>Decision: the tag number is the <b>0-based set-of-marks index</b>, so
 * {@code segment id = tag number + 1}. Why (EVAL.md §3.2): COCONut-PanCap captions were written over a
 * set-of-marks overlay whose marks start at 0 (the paper's examples use {@code <0: ...>}), COCONut
 * segment ids are the consecutive 1..N per image with 0 = void, and the loader built on the 50K release
 * (saliency-alignment) adds 1 "to match the IDs in segment_infos and masks". PANORAMA's
 * <i>regenerated</i> captions use segment ids directly; they are a different release and are not what
 * this reader reads. The reader checks the convention on every caption: each tag must name an
 * existing segment, which under this convention means {@code 0 <= tag <= N-1} for ids 1..N; a release
 * written the other way shows up as dangling tags ({@code tag = N}) in {@code studio data validate}.
 *
 * <p>The synthetic world (WORLD.md) writes its captions with the same convention.
 */
public final class TagConvention {
    private TagConvention() {}

    /** The panoptic segment id a tag number refers to. */
    public static long segmentId(long tagNumber) {
        return tagNumber + 1;
    }

    /** The tag number that refers to a panoptic segment id (ids start at 1; 0 is void). */
    public static long tagNumber(long segmentId) {
        if (segmentId < 1) {
            throw new IllegalArgumentException("segment id " + segmentId + " is void or negative");
        }
        return segmentId - 1;
    }
}
