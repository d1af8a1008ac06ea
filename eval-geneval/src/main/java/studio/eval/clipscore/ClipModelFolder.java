package studio.eval.clipscore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import studio.core.BadInputException;
import studio.core.Installation;
import studio.eval.features.ClipImageExtractor;

/**
 * Where a CLIPScore model's parts are. Two layouts:
 * <ul>
 *   <li>a transformers CLIPModel folder (openai/clip-vit-large-patch14: config.json with {@code text_config} and
 *       {@code vision_config}, model.safetensors, vocab.json + merges.txt + special_tokens_map.json): both towers and
 *       the tokenizer at the root, pixels normalised with CLIP's mean/std;</li>
 *   <li>a pancap-tiny-style model folder ({@code tiny-clip} = {@code <studio home>/models/pancap-tiny}):
 *       {@code image_encoder/}, the text tower {@code text_encoder_2/} with {@code tokenizer_2/} (or
 *       {@code text_encoder/} with {@code tokenizer/}), pixels in [−1, 1] as that tower was trained.</li>
 * </ul>
 * For the tiny model the default text side is {@code text_encoder_2}, the bigG-class tower: both of pancap-tiny's text
 * towers were trained contrastively against the one image tower (ClipTrainer: symmetric InfoNCE for each, projections
 * into the same 128-d image space), and the bigG-class one is the wider (128 vs 64) of the two, as bigG is in SD3.
 */
public record ClipModelFolder(String label, Path imageTower, Path textTower, Path tokenizer,
                              ClipImageExtractor.Normalization normalization) {

    /** {@code --model tiny-clip} or a folder of either layout; {@code textTower} picks the tiny layout's text side. */
    public static ClipModelFolder resolve(String model, String textTower) throws IOException {
        boolean tiny = model.equals("tiny-clip");
        Path root = tiny ? Installation.root().resolve("models/pancap-tiny") : Path.of(model);
        if (!Files.isDirectory(root)) {
            throw new BadInputException("--model " + model, tiny ? "the embedded model is missing: " + root
                    : "no such folder");
        }
        Path config = root.resolve("config.json");
        if (Files.isRegularFile(config)) {
            JsonNode n = new ObjectMapper().readTree(config.toFile());
            if (!n.has("text_config") || !n.has("vision_config")) {
                throw new BadInputException(config.toString(), "not a CLIPModel config (needs text_config and vision_config)");
            }
            return new ClipModelFolder(root.getFileName().toString(), root, root, root,
                    ClipImageExtractor.Normalization.CLIP_MEAN_STD);
        }
        String tokenizer = switch (textTower) {
            case "text_encoder" -> "tokenizer";
            case "text_encoder_2" -> "tokenizer_2";
            default -> throw new BadInputException("--text-tower", "expected text_encoder or text_encoder_2, got '" + textTower + "'");
        };
        for (String part : new String[] {"image_encoder", textTower, tokenizer}) {
            if (!Files.isDirectory(root.resolve(part))) {
                throw new BadInputException(root.resolve(part).toString(), "missing: a CLIP model folder needs a "
                        + "config.json (transformers CLIPModel) or image_encoder/, " + textTower + "/ and " + tokenizer + "/");
            }
        }
        return new ClipModelFolder(tiny ? "tiny-clip" : root.getFileName().toString(), root.resolve("image_encoder"),
                root.resolve(textTower), root.resolve(tokenizer), ClipImageExtractor.Normalization.MINUS_ONE_TO_ONE);
    }
}
