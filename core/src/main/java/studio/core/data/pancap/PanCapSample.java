package studio.core.data.pancap;

import java.nio.file.Path;
import java.util.Optional;
import studio.core.data.DataPng;
import studio.core.data.caption.GroundedCaption;
import studio.core.data.caption.TagParser;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.ImageInfo;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.image.RgbImage;

/** One image of a PanCap dataset; pixels and captions are read when asked for. */
public record PanCapSample(PanopticAnnotation annotation, ImageInfo info, Path image, Path mask, PanCapDataset dataset) {
    public long imageId() {
        return annotation.imageId();
    }

    public RgbImage loadImage() {
        return DataPng.read(image);
    }

    public IdMask loadMask() {
        return IdMask.fromRgb(DataPng.read(mask));
    }

    public Optional<String> rawCaption() {
        return dataset.captions().caption(imageId());
    }

    /** The parsed caption, if there is one; a malformed one throws {@link studio.core.data.caption.TagSyntaxException}. */
    public Optional<GroundedCaption> caption() {
        return rawCaption().map(text -> TagParser.parse(text, dataset.captions().describe(imageId())));
    }
}
