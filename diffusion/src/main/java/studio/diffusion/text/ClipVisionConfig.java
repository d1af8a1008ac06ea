package studio.diffusion.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import studio.core.BadInputException;

/**
 * A CLIPVisionModelWithProjection configuration with the keys of transformers' CLIPVisionConfig
 * ({@code image_encoder/config.json}): a ViT of {@code (image_size / patch_size)²} patch tokens plus the class
 * token, pre-LN encoder layers as the text tower's (SD3.md §4.3), projection to {@code projection_dim}.
 */
public record ClipVisionConfig(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                               int imageSize, int patchSize, int numChannels, ClipConfig.Activation hiddenAct,
                               double layerNormEps, int projectionDim) {

    public ClipVisionConfig {
        if (patchSize < 1 || imageSize % patchSize != 0) {
            throw new BadInputException("patch_size", patchSize + " does not divide image_size " + imageSize);
        }
    }

    /** Patch tokens plus the class token. */
    public int positions() {
        int g = imageSize / patchSize;
        return g * g + 1;
    }

    /** The encoder-layer view shared with the text tower (no vocabulary, no causal mask, no EOS). */
    ClipConfig layerConfig() {
        return new ClipConfig(0, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, positions(),
                hiddenAct, layerNormEps, projectionDim, 0);
    }

    /** Reads {@code config.json} (a CLIPVisionConfig, or a CLIPConfig's {@code vision_config}); architecture keys required. */
    public static ClipVisionConfig fromConfigJson(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        JsonNode n = root.has("vision_config") ? root.get("vision_config") : root;
        String act = n.path("hidden_act").asText("quick_gelu");
        ClipConfig.Activation a = ClipConfig.Activation.parse(act, file);
        int projection = n.has("projection_dim") ? n.get("projection_dim").asInt() : Json.reqInt(root, file, "projection_dim");
        return new ClipVisionConfig(Json.reqInt(n, file, "hidden_size"), Json.reqInt(n, file, "intermediate_size"),
                Json.reqInt(n, file, "num_hidden_layers"), Json.reqInt(n, file, "num_attention_heads"),
                Json.reqInt(n, file, "image_size"), Json.reqInt(n, file, "patch_size"), n.path("num_channels").asInt(3),
                a, n.path("layer_norm_eps").asDouble(1e-5), projection);
    }
}
