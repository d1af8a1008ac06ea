package studio.eval.geneval;

import java.awt.image.BufferedImage;
import java.util.List;
import studio.core.data.geneval.GenevalClause;

/**
 * Zero-shot colour of object crops: the official classifier is open_clip ViT-L-14 ("openai") over
 * {@link GenevalClause#COLORS} with the three templates {@code "a photo of a {c} {classname}"},
 * {@code "a photo of a {c}-colored {classname}"} and {@code "a photo of a {c} object"}, argmax
 * ({@code color_classification} in evaluate_images.py; EVAL.md §1.3). Crops come from
 * {@link ColorCrops#officialCrop}; the classifier applies its own preprocessing.
 */
public interface ColorClassifier {
    /** The three official prompt templates for one colour and class. */
    static List<String> templates(String color, String className) {
        return List.of("a photo of a " + color + " " + className,
                "a photo of a " + color + "-colored " + className,
                "a photo of a " + color + " object");
    }

    /** One colour from {@link GenevalClause#COLORS} per crop, in order. */
    List<String> classify(List<BufferedImage> crops, String className);
}
