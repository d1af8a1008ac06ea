package studio.core.data.world;

import studio.core.data.panoptic.PanopticAnnotation;

/**
 * Everything the world writes for one image, as bytes and records: the RGB PNG, the id PNG, the
 * annotation (with area and bbox), the grounded caption and the short caption.
 */
public record WorldSample(long imageId, String fileName, byte[] imagePng, byte[] maskPng,
        PanopticAnnotation annotation, String caption, String shortCaption) {
    /** The same sample without its PNG bytes, for keeping the index of a large world in memory. */
    public WorldSample withoutPixels() {
        return new WorldSample(imageId, fileName, new byte[0], new byte[0], annotation, caption, shortCaption);
    }
}
