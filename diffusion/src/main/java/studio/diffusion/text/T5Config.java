package studio.diffusion.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import studio.core.BadInputException;

/**
 * A T5EncoderModel configuration, with the keys of transformers' {@code text_encoder_3/config.json}
 * (SD3.md §4.5). Only the gated tanh-GELU feed-forward of T5 v1.1 ({@code feed_forward_proj
 * "gated-gelu"}, dense_act_fn gelu_new) is implemented; anything else is rejected at load.
 */
public record T5Config(int vocabSize, int dModel, int dKv, int numHeads, int dFf, int numLayers,
                       int relativeAttentionNumBuckets, int relativeAttentionMaxDistance, double layerNormEpsilon) {

    /** q/k/v output width = num_heads · d_kv (equals d_model for T5-XXL, not in general). */
    public int inner() {
        return numHeads * dKv;
    }

    /** SD3's T5-XXL encoder (SD3.md §4.5). */
    public static T5Config t5Xxl() {
        return new T5Config(32128, 4096, 64, 64, 10240, 24, 32, 128, 1e-6);
    }

    public static T5Config fromConfigJson(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        String ff = n.path("feed_forward_proj").asText("");
        if (!ff.equals("gated-gelu")) {
            throw new BadInputException(file + ": feed_forward_proj", "only \"gated-gelu\" (T5 v1.1, SD3.md §4.5) is "
                    + "implemented, got '" + ff + "'");
        }
        return new T5Config(Json.reqInt(n, file, "vocab_size"), Json.reqInt(n, file, "d_model"),
                Json.reqInt(n, file, "d_kv"), Json.reqInt(n, file, "num_heads"), Json.reqInt(n, file, "d_ff"),
                Json.reqInt(n, file, "num_layers"), n.path("relative_attention_num_buckets").asInt(32),
                n.path("relative_attention_max_distance").asInt(128), n.path("layer_norm_epsilon").asDouble(1e-6));
    }
}
