package studio.eval.geneval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Where an image's detections come from: a {@link Detector} run now, or a {@link DetectionsFile}. */
@FunctionalInterface
public interface DetectionSource {
    /**
     * @param image the PNG
     * @param key   its path relative to the image folder, with {@code /} (the detections file's key)
     */
    List<Detection> detections(Path image, String key) throws IOException;

    static DetectionSource of(Detector detector) {
        return (image, key) -> detector.detect(image);
    }
}
