package studio.core.data.panoptic;

/**
 * One {@code segments_info} entry. COCONut files carry {@code isthing} and no {@code bbox}; COCO's
 * carry {@code bbox} and no {@code isthing}; so both are nullable and {@code area} may be null too
 * (EVAL.md §3.1). Use {@link MaskGeometry} for the values measured from the PNG.
 */
public record SegmentInfo(long id, int categoryId, int iscrowd, Integer isthing, Long area, BBox bbox) {}
