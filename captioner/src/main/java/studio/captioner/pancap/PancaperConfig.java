package studio.captioner.pancap;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import studio.core.BadInputException;
import studio.core.config.Configs;
import studio.core.data.panoptic.Category;

/**
 * The architecture of a tiny PanCaper, stored as {@code config.json} next to {@code model.safetensors}
 * (the model folder {@code models/pancap-tiny/captioner/}). Class index i of the class head is
 * {@code categories[i]}; index {@code categories.size()} is "no object" (DETR / Mask2Former's ∅ class).
 *
 * @param kind always {@code pancap-tiny}
 * @param imageSize the square input side the model was trained at (images are resized to it)
 * @param categories the panoptic categories, in class-head order
 * @param queries N learned object queries (thing and stuff alike, Mask2Former's unified queries)
 * @param width D, the transformer width (pixel encoder, query decoder, caption decoder)
 * @param pixelDim E, the per-pixel and per-query mask embedding width
 * @param stemChannels channels of the full-resolution conv stem
 * @param heads attention heads
 * @param encoderLayers transformer layers over the 1/4-resolution pixel tokens
 * @param decoderLayers query decoder layers (cross-attention, self-attention, FFN)
 * @param captionLayers caption decoder layers (causal self-attention, cross-attention to segments, FFN)
 * @param maxTokens longest caption in tokens (positions of the caption decoder)
 * @param vocab the caption vocabulary; the first {@link Vocabulary#SPECIALS} entries are the special tokens
 * @param objectThreshold panoptic inference: minimum class score of a kept query (Mask2Former's
 *        TEST.OBJECT_MASK_THRESHOLD, 0.8 when absent); the trainer calibrates it on the held-out split
 * @param overlapThreshold panoptic inference: minimum won / own mask area (TEST.OVERLAP_THRESHOLD, 0.8 when absent)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PancaperConfig(String kind, int imageSize, List<Category> categories, int queries, int width, int pixelDim,
                             int stemChannels, int heads, int encoderLayers, int decoderLayers, int captionLayers,
                             int maxTokens, List<String> vocab, Double objectThreshold, Double overlapThreshold) {
    public static final String KIND = "pancap-tiny";
    public static final String FILE = "config.json";
    /** Mask2Former's COCO panoptic test thresholds (configs/coco/panoptic-segmentation/*.yaml). */
    public static final double DEFAULT_THRESHOLD = 0.8;

    public PancaperConfig {
        categories = List.copyOf(categories);
        vocab = List.copyOf(vocab);
        objectThreshold = objectThreshold == null ? DEFAULT_THRESHOLD : objectThreshold;
        overlapThreshold = overlapThreshold == null ? DEFAULT_THRESHOLD : overlapThreshold;
        if (!KIND.equals(kind) || width % heads != 0 || imageSize % 4 != 0 || queries < 1) {
            throw new BadInputException("pancaper config", "needs kind " + KIND + ", width divisible by heads, image size divisible by 4");
        }
    }

    /** The same model with other inference thresholds. */
    public PancaperConfig withThresholds(double object, double overlap) {
        return new PancaperConfig(kind, imageSize, categories, queries, width, pixelDim, stemChannels, heads, encoderLayers,
                decoderLayers, captionLayers, maxTokens, vocab, object, overlap);
    }

    /** Classes of the class head without the no-object class. */
    public int classes() {
        return categories.size();
    }

    /** Side of the pixel-token grid (1/4 of the image). */
    public int grid() {
        return imageSize / 4;
    }

    public void write(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve(FILE), Configs.toJson(this));
    }

    public static PancaperConfig read(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(folder.toString(), "no " + FILE + " (not a pancap-tiny model folder)");
        }
        return Configs.fromJson(Files.readString(file), PancaperConfig.class, file.toString());
    }
}
