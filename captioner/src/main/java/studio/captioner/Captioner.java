package studio.captioner;

import studio.core.image.RgbImage;

/**
 * The captioner boundary: an image in, a {@link GroundedResult} out (panoptic segments plus a
 * COCONut-PanCap style caption whose {@code <k: phrase>} tags name those segments).
 *
 * <p>Everything downstream (the closed-loop check, PQ and caption metrics, the overlay) reads only
 * {@link GroundedResult}, so another model — a LISA/LLaVA-class PanCaper, an external grounding VLM
 * behind HTTP — is added by implementing this interface and registering it in {@link Captioners};
 * nothing else changes. Implementations own their resources and release them in {@link #close}.
 */
public interface Captioner extends AutoCloseable {
    /** A short name for reports, e.g. {@code pancap-tiny} or {@code oracle:world-val}. */
    String name();

    /** Segments and grounded caption of one image. Images of any size are accepted. */
    GroundedResult caption(RgbImage image);

    /**
     * The segments of one image without the caption (GenEval's world detector needs only these); the caption of
     * the result may be empty. The default captions; a captioner whose caption costs more than its segmentation
     * (the tiny PanCaper decodes word by word) skips it.
     */
    default GroundedResult segment(RgbImage image) {
        return caption(image);
    }

    @Override
    default void close() {}
}
