package studio.eval.fid;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Images to feature rows, one network and preprocessing: Inception-v3 pool3 (FID), DINOv2 ViT-L/14 CLS
 * (FD-DINOv2), CLIP image embeddings, the world's tiny CLIP. FD values move with the resize filter
 * (EVAL.md §2, §6.2), so every extractor names it and reports carry it.
 */
public interface FeatureExtractor {
    /**
     * Identifies the network, its weights and its preprocessing, e.g. {@code "inception-v3-pool3:pt_inception-2015-12-05"};
     * part of the feature-cache key, so it must change whenever the features would.
     */
    String name();

    /** The resize as the report names it, e.g. "bilinear, no antialias (pytorch-fid)" or "PIL bicubic float (clean-fid)". */
    String resizeFilter();

    /** Feature dimension D. */
    int dim();

    /** One row per image, in the order given. */
    FeatureMatrix extract(List<Path> images) throws IOException;
}
