package studio.eval.geneval;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalPromptLine;

/**
 * Scores an official-layout image folder: for each image, its detections (from a detector or a detections
 * file) go through {@link Rules#selectObjects} and {@link Rules#evaluate}, as
 * {@code evaluate_images.py::evaluate_image} does. Colours: a detection's own {@code color} when it has
 * one, else the {@link ColorClassifier} on the official masked crop.
 */
public final class GenevalScorer {
    private final DetectionSource source;
    private final ColorClassifier classifier;
    private final RuleOptions options;

    /** @param classifier null when every colour clause is answered by the detections themselves */
    public GenevalScorer(DetectionSource source, ColorClassifier classifier, RuleOptions options) {
        this.source = source;
        this.classifier = classifier;
        this.options = options;
    }

    /** Called after each image: how many are scored of how many. */
    @FunctionalInterface
    public interface Progress {
        void scored(int done, int total);
    }

    /** One result per image, prompt folders and images in name order; a detections file must hold only these images. */
    public List<ImageResult> scoreFolder(Path imageFolder) throws IOException {
        List<Layout.PromptImages> prompts = Layout.scan(imageFolder);
        List<ImageResult> results = score(prompts, (done, total) -> {});
        if (source instanceof DetectionsFile file) {
            Set<String> keys = new HashSet<>();
            prompts.forEach(p -> p.images().forEach(image -> keys.add(key(p, image))));
            file.requireOnly(keys);
        }
        return results;
    }

    /** One result per image of {@code prompts}, in order; each image's key is its path relative to the image folder. */
    public List<ImageResult> score(List<Layout.PromptImages> prompts, Progress progress) throws IOException {
        int total = prompts.stream().mapToInt(p -> p.images().size()).sum();
        List<ImageResult> results = new ArrayList<>(total);
        for (Layout.PromptImages prompt : prompts) {
            for (Path image : prompt.images()) {
                results.add(scoreImage(image, key(prompt, image), prompt.metadata()));
                progress.scored(results.size(), total);
            }
        }
        return results;
    }

    /** The image's path relative to the image folder (the prompt folder's parent), with {@code /}. */
    private static String key(Layout.PromptImages prompt, Path image) {
        return prompt.folder().getParent().relativize(image).toString().replace('\\', '/');
    }

    public ImageResult scoreImage(Path image, String key, GenevalPromptLine metadata) throws IOException {
        List<Detection> detections = source.detections(image, key);
        var kept = Rules.selectObjects(detections, metadata.task(), options);
        Verdict verdict = Rules.evaluate(kept, metadata, new ImageColors(image, key), options);
        return ImageResult.of(image.toString(), metadata, verdict, kept);
    }

    /** Colours for one image; the image is decoded only if some detection lacks a colour. */
    private final class ImageColors implements ColorLookup {
        private final Path imagePath;
        private final String key;
        private BufferedImage image;

        ImageColors(Path imagePath, String key) {
            this.imagePath = imagePath;
            this.key = key;
        }

        @Override
        public List<String> colorsOf(String className, List<Detection> found) {
            if (found.stream().allMatch(d -> d.color() != null)) {
                return found.stream().map(Detection::color).toList();
            }
            if (classifier == null) {
                throw new BadInputException(key, "a colour clause needs the colour of " + className
                        + ": give \"color\" in the detections file, or a colour classifier");
            }
            List<Detection> unknown = found.stream().filter(d -> d.color() == null).toList();
            List<BufferedImage> crops = new ArrayList<>();
            for (Detection d : unknown) {
                crops.add(ColorCrops.officialCrop(image(), d, key));
            }
            List<String> predicted = classifier.classify(crops, className);
            if (predicted.size() != crops.size()) {
                throw new IllegalStateException("colour classifier returned " + predicted.size() + " colours for "
                        + crops.size() + " crops");
            }
            List<String> colors = new ArrayList<>();
            int next = 0;
            for (Detection d : found) {
                colors.add(d.color() != null ? d.color() : predicted.get(next++));
            }
            return colors;
        }

        private BufferedImage image() {
            if (image == null) {
                try {
                    image = Files.isRegularFile(imagePath) ? ImageIO.read(imagePath.toFile()) : null;
                } catch (IOException e) {
                    throw new BadInputException(imagePath.toString(), "cannot read image: " + e.getMessage());
                }
                if (image == null) {
                    throw new BadInputException(imagePath.toString(), "not a readable PNG");
                }
            }
            return image;
        }
    }
}
