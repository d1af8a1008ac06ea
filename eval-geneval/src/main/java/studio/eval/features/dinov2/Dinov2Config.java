package studio.eval.features.dinov2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import studio.core.BadInputException;
import studio.core.safetensors.SafeTensors;

/**
 * transformers' {@code Dinov2Config} keys that shape {@code Dinov2Model}: a ViT of {@code (image_size / patch_size)²}
 * patch tokens plus the CLS token, pre-LN layers with layer scale, exact-GELU MLP of {@code hidden_size · mlp_ratio}.
 * ViT-L/14 (facebook/dinov2-large, the FD-DINOv2 encoder): 1024 wide, 24 layers, 16 heads, 518 px (37² positions).
 * SwiGLU MLPs (ViT-g) and register tokens are not supported and refused.
 */
public record Dinov2Config(int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize,
                           int imageSize, int patchSize, int numChannels, double layerNormEps) {

    public Dinov2Config {
        if (numAttentionHeads < 1 || hiddenSize % numAttentionHeads != 0) {
            throw new BadInputException("num_attention_heads", numAttentionHeads + " does not divide hidden_size " + hiddenSize);
        }
        if (patchSize < 1 || imageSize % patchSize != 0) {
            throw new BadInputException("patch_size", patchSize + " does not divide image_size " + imageSize);
        }
    }

    /** Side of the stored position grid (37 for 518 / 14). */
    public int grid() {
        return imageSize / patchSize;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** A transformers {@code config.json}; architecture keys required, unsupported variants refused. */
    public static Dinov2Config fromConfigJson(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        String type = n.path("model_type").asText("dinov2");
        if (!type.equals("dinov2")) {
            throw new BadInputException(file + ": model_type", "expected dinov2, got '" + type + "'");
        }
        if (n.path("use_swiglu_ffn").asBoolean(false)) {
            throw new BadInputException(file + ": use_swiglu_ffn", "SwiGLU MLPs (ViT-g) are not supported");
        }
        if (n.path("num_register_tokens").asInt(0) != 0) {
            throw new BadInputException(file + ": num_register_tokens", "register tokens (Dinov2WithRegisters) are not supported");
        }
        String act = n.path("hidden_act").asText("gelu");
        if (!act.equals("gelu")) {
            throw new BadInputException(file + ": hidden_act", "expected gelu, got '" + act + "'");
        }
        if (!n.path("qkv_bias").asBoolean(true)) {
            throw new BadInputException(file + ": qkv_bias", "query/key/value without bias are not supported");
        }
        int hidden = req(n, file, "hidden_size");
        double ratio = n.path("mlp_ratio").asDouble(4.0);
        return new Dinov2Config(hidden, req(n, file, "num_hidden_layers"), req(n, file, "num_attention_heads"),
                (int) (hidden * ratio), req(n, file, "image_size"), req(n, file, "patch_size"),
                n.path("num_channels").asInt(3), n.path("layer_norm_eps").asDouble(1e-6));
    }

    /**
     * The configuration a bare weights file implies (no config.json beside it): widths, depth, patch and grid from
     * the tensor shapes; heads from DINOv2's head width, 64 in every released size (S 6, B 12, L 16, g 24 heads).
     */
    public static Dinov2Config inferFrom(SafeTensors file) {
        String where = file.source().toString();
        long[] proj = shape(file, "embeddings.patch_embeddings.projection.weight", where); // [D, C, p, p]
        long[] pos = shape(file, "embeddings.position_embeddings", where); // [1, N + 1, D]
        long[] fc1 = shape(file, "encoder.layer.0.mlp.fc1.weight", where); // [I, D]
        int layers = 0;
        while (file.contains("encoder.layer." + layers + ".norm1.weight")) {
            layers++;
        }
        int hidden = (int) proj[0];
        int patch = (int) proj[2];
        int grid = (int) Math.round(Math.sqrt(pos[1] - 1));
        if ((long) grid * grid != pos[1] - 1) {
            throw new BadInputException(where, "embeddings.position_embeddings has " + (pos[1] - 1)
                    + " patch positions, not a square grid");
        }
        return new Dinov2Config(hidden, layers, Math.max(1, hidden / 64), (int) fc1[0], grid * patch, patch,
                (int) proj[1], 1e-6);
    }

    private static long[] shape(SafeTensors file, String key, String where) {
        if (!file.contains(key)) {
            throw new BadInputException(where, "no tensor '" + key + "': not DINOv2 weights in transformers' keys "
                    + "(tools/reference/convert_features_weights.py converts the torch.hub checkpoint)");
        }
        return file.info(key).shape();
    }

    private static int req(JsonNode n, Path file, String key) {
        if (!n.hasNonNull(key) || !n.get(key).canConvertToInt()) {
            throw new BadInputException(file + ": " + key, "missing or not an integer");
        }
        return n.get(key).asInt();
    }
}
