package studio.eval.geneval;

import java.util.List;

/**
 * The colour of each of the top-{@code count} detections of one include clause, in order
 * ({@code color_classification(image, found_objects, classname)} in evaluate_images.py).
 * Keeps {@link Rules} free of images and models.
 */
@FunctionalInterface
public interface ColorLookup {
    List<String> colorsOf(String className, List<Detection> found);
}
