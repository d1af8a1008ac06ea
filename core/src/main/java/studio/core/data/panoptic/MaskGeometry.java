package studio.core.data.panoptic;

/** Area (pixel count) and bounding box of one id in an id mask. */
public record MaskGeometry(long id, long area, BBox bbox) {}
