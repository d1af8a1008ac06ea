package studio.core.data.panoptic;

/** An {@code images} entry of a COCO panoptic JSON (only the fields the studio uses). */
public record ImageInfo(long id, String fileName, int width, int height) {}
