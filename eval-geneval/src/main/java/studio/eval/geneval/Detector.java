package studio.eval.geneval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An instance detector: every instance it finds in one image, unfiltered (the rules apply the thresholds).
 * The official one is Mask2Former Swin-S on COCO's 80 classes (EVAL.md §1.3); the world uses the tiny
 * PanCaper segmenter. Class names must be the prompt file's names (GenEval renames mouse, remote and
 * keyboard to "computer mouse", "tv remote", "computer keyboard").
 */
public interface Detector {
    List<Detection> detect(Path image) throws IOException;
}
