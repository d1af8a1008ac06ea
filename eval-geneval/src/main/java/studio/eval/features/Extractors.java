package studio.eval.features;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import studio.core.BadInputException;
import studio.core.Installation;

/**
 * The {@code --features} names of {@code studio eval fid / features} and what each loads:
 * <ul>
 *   <li>{@code inception}: FID's Inception-v3 pool3; {@code --weights} = pytorch-fid's state dict as safetensors;</li>
 *   <li>{@code dinov2}: FD-DINOv2's CLS at 224 px; {@code --weights} = a transformers Dinov2Model folder or file;</li>
 *   <li>{@code clip}: CLIP image embeddings; {@code --weights} = a transformers CLIPModel or CLIPVisionModelWithProjection
 *       folder (e.g. openai/clip-vit-large-patch14), CLIP mean/std;</li>
 *   <li>{@code tiny-clip}: pancap-tiny's image tower (the world's feature space), [−1, 1] input; {@code --weights}
 *       defaults to {@code <studio home>/models/pancap-tiny/image_encoder} and may name that folder or one holding
 *       an {@code image_encoder/}.</li>
 * </ul>
 */
public final class Extractors {
    public static final String[] NAMES = {"inception", "dinov2", "clip", "tiny-clip"};
    /** Images per forward pass. */
    static final int BATCH = 8;

    private Extractors() {}

    public static NetworkExtractor open(String features, Path weights, ResizeMode resize, NDManager parent) throws IOException {
        return switch (features.toLowerCase(Locale.ROOT)) {
            case "inception" -> InceptionExtractor.load(required(weights, "inception",
                    "pytorch-fid's pt_inception-2015-12-05 weights as safetensors"), resize, parent, BATCH);
            case "dinov2" -> Dinov2Extractor.load(required(weights, "dinov2",
                    "a transformers Dinov2Model folder (facebook/dinov2-large) or safetensors file"), resize,
                    Dinov2Extractor.SIZE, parent, BATCH);
            case "clip" -> ClipImageExtractor.load(imageTower(required(weights, "clip",
                    "a transformers CLIP folder (openai/clip-vit-large-patch14)")), "clip", resize,
                    ClipImageExtractor.Normalization.CLIP_MEAN_STD, parent, BATCH);
            case "tiny-clip" -> ClipImageExtractor.load(imageTower(weights == null ? tinyClipImageTower() : weights),
                    "tiny-clip", resize, ClipImageExtractor.Normalization.MINUS_ONE_TO_ONE, parent, BATCH);
            default -> throw new BadInputException("--features", "expected one of inception, dinov2, clip, tiny-clip, got '"
                    + features + "'");
        };
    }

    /** The embedded model's image tower: {@code <studio home>/models/pancap-tiny/image_encoder}. */
    public static Path tinyClipImageTower() {
        return Installation.root().resolve("models/pancap-tiny/image_encoder");
    }

    /** A folder holding the image tower's config.json, or one with an {@code image_encoder/} (diffusers-style layout). */
    public static Path imageTower(Path folder) {
        if (!Files.isRegularFile(folder.resolve("config.json")) && Files.isRegularFile(folder.resolve("image_encoder/config.json"))) {
            return folder.resolve("image_encoder");
        }
        if (!Files.isDirectory(folder)) {
            throw new BadInputException(folder.toString(), "no such CLIP image tower folder");
        }
        return folder;
    }

    private static Path required(Path weights, String features, String what) {
        if (weights == null) {
            throw new BadInputException("--weights", "--features " + features + " needs --weights: " + what
                    + " (see eval-geneval/README.md; nothing is downloaded)");
        }
        return weights;
    }
}
