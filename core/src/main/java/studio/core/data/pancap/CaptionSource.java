package studio.core.data.pancap;

import java.util.List;
import java.util.Optional;

/** Where a dataset's long captions live: a folder of {@code <12-digit id>.txt} files or a webdataset tar. */
public interface CaptionSource {
    /** The raw caption text (tags included) of an image, if there is one. */
    Optional<String> caption(long imageId);

    /** How a caption is named in messages, e.g. {@code captions/000000000001.txt}. */
    String describe(long imageId);

    /** Every image id that has a caption, ascending. */
    List<Long> imageIds();
}
