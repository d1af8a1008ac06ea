package studio.core.data;

import studio.core.data.caption.GroundedCaption;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.image.RgbImage;

/**
 * One decoded training example. {@code caption} is the grounded caption (plain layouts have no
 * tags, so no phrases); {@code mask} and {@code annotation} are null outside PanCap datasets.
 */
public record TrainingSample(String id, RgbImage image, GroundedCaption caption, IdMask mask, PanopticAnnotation annotation) {}
