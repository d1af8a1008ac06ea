package studio.diffusion.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import studio.core.BadInputException;

/**
 * A CLIPTextModelWithProjection configuration, with the keys of transformers' {@code text_encoder/config.json}
 * (SD3.md §4.1, §4.2). The activation comes from {@code hidden_act}, never from the width: CLIP-L uses
 * quick-GELU, OpenCLIP bigG exact GELU (§7.4).
 *
 * @param eosTokenId the config's eos_token_id; 2 (the legacy value SD3 ships) selects transformers'
 *     argmax pooling rule, see {@link ClipTextModel#eosPositions}
 */
public record ClipConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                         int numAttentionHeads, int maxPositionEmbeddings, Activation hiddenAct,
                         double layerNormEps, int projectionDim, int eosTokenId) {

    /** {@code hidden_act}: the MLP activation. */
    public enum Activation {
        /** u·sigmoid(1.702u) (CLIP-L). */
        QUICK_GELU,
        /** exact erf GELU (bigG). */
        GELU;

        static Activation parse(String s, Path file) {
            switch (s) {
                case "quick_gelu": return QUICK_GELU;
                case "gelu": return GELU;
                default: throw new BadInputException(file + ": hidden_act", "expected quick_gelu or gelu, got '" + s + "'");
            }
        }
    }

    public ClipConfig {
        if (hiddenSize % numAttentionHeads != 0) {
            throw new BadInputException("hidden_size", hiddenSize + " not divisible by " + numAttentionHeads + " heads");
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** SD3's CLIP-L (SD3.md §4.1): 12 layers of 768, quick-GELU, projection 768. */
    public static ClipConfig clipL() {
        return new ClipConfig(49408, 768, 3072, 12, 12, 77, Activation.QUICK_GELU, 1e-5, 768, 2);
    }

    /** SD3's OpenCLIP bigG (SD3.md §4.2): 32 layers of 1280, exact GELU, projection 1280. */
    public static ClipConfig clipG() {
        return new ClipConfig(49408, 1280, 5120, 32, 20, 77, Activation.GELU, 1e-5, 1280, 2);
    }

    /**
     * Reads {@code config.json} (a CLIPTextConfig, or a whole CLIPConfig's {@code text_config} with the root's
     * {@code projection_dim} when the text part lacks it); every architecture key is required.
     */
    public static ClipConfig fromConfigJson(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        JsonNode n = root.has("text_config") ? root.get("text_config") : root;
        if (!n.has("projection_dim") && root.has("projection_dim")) {
            n = ((com.fasterxml.jackson.databind.node.ObjectNode) n.deepCopy()).set("projection_dim", root.get("projection_dim"));
        }
        if (!n.hasNonNull("hidden_act")) {
            throw new BadInputException(file + ": hidden_act", "missing");
        }
        return new ClipConfig(Json.reqInt(n, file, "vocab_size"), Json.reqInt(n, file, "hidden_size"),
                Json.reqInt(n, file, "intermediate_size"), Json.reqInt(n, file, "num_hidden_layers"),
                Json.reqInt(n, file, "num_attention_heads"), Json.reqInt(n, file, "max_position_embeddings"),
                Activation.parse(n.get("hidden_act").asText(), file), n.path("layer_norm_eps").asDouble(1e-5),
                Json.reqInt(n, file, "projection_dim"), n.path("eos_token_id").asInt(2));
    }
}
