package studio.diffusion.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.core.weights.LoadReport;
import studio.core.weights.Weights;
import studio.diffusion.lora.LoraLinear;
import studio.diffusion.nn.Params;

/**
 * T5EncoderModel as diffusers loads SD3's {@code text_encoder_3/} (T5-XXL; sharded
 * {@code model.safetensors.index.json}), SD3.md §4.5. Parts in checkpoint order: {@code shared}
 * (the token table; {@code encoder.embed_tokens} is tied to it and not stored), {@code encoder.block.*}
 * (block 0 alone holds {@code relative_attention_bias}), {@code encoder.final_layer_norm}.
 *
 * <p>Embedding lookup without √d scaling and without absolute positions; the relative position bias is
 * computed once from block 0's table and shared by all blocks; no attention mask (SD3 passes none, so
 * pads attend and are attended to, §7.11). Output: last_hidden_state = final_layer_norm(h).
 */
public final class T5Encoder {

    private final T5Config config;
    private final Precision precision;
    private final LoadReport report;
    private final Map<String, LoraLinear> linears = new LinkedHashMap<>();
    private final NDArray shared; // shared.weight [V, D]
    private final NDArray relativeAttentionBias; // encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight [buckets, H]
    private final List<T5Block> blocks = new ArrayList<>(); // encoder.block.{j}
    private final NDArray finalLayerNorm; // encoder.final_layer_norm.weight [D]

    public T5Encoder(Weights w, T5Config c) {
        this(Params.of(w.ignoreUnused("encoder\\.embed_tokens\\.weight")), c, w);
    }

    /** Random weights (N(0, 0.02²)), for tests and benchmarks without a checkpoint. */
    public static T5Encoder random(T5Config c, NDManager manager, Precision precision) {
        return new T5Encoder(Params.random(manager, precision, 0.02f, ""), c, null);
    }

    /** Built from any {@link Params} (initial weights for training); no load report. */
    public static T5Encoder of(Params p, T5Config c) {
        return new T5Encoder(p, c, null);
    }

    private T5Encoder(Params w, T5Config c, Weights checkpoint) {
        config = c;
        precision = w.precision();
        shared = w.get("shared.weight", c.vocabSize(), c.dModel());
        Params enc = w.pp("encoder");
        relativeAttentionBias = enc.pp("block.0.layer.0.SelfAttention")
                .get("relative_attention_bias.weight", c.relativeAttentionNumBuckets(), c.numHeads());
        for (int j = 0; j < c.numLayers(); j++) {
            blocks.add(new T5Block(enc.pp("block", j), c, linears));
        }
        finalLayerNorm = enc.get("final_layer_norm.weight", c.dModel());
        report = checkpoint == null ? LoadReport.random() : checkpoint.finishLoad();
    }

    /** Loads a transformers folder: {@code config.json} + {@code model.safetensors} or its sharded index. */
    public static T5Encoder load(Path folder, NDManager manager, Precision precision) throws IOException {
        T5Config c = T5Config.fromConfigJson(folder.resolve("config.json"));
        try (SafeTensors file = SafeTensors.open(folder)) {
            return new T5Encoder(Weights.of(file, manager, precision), c);
        }
    }

    public T5Config config() {
        return config;
    }

    public Precision precision() {
        return precision;
    }

    public LoadReport loadReport() {
        return report;
    }

    public Map<String, LoraLinear> linears() {
        return Collections.unmodifiableMap(linears);
    }

    /** ids [B, L] int64 → last_hidden_state [B, L, D] in the compute precision, in ids' manager. */
    public NDArray forward(NDArray ids) {
        NDManager m = ids.getManager();
        int len = (int) ids.getShape().get(1);
        NDArray h = shared.get(ids); // [B, L, D]
        h.attach(m); // indexing results land in the table's manager: move to the activations'
        NDArray bias = positionBias(m, len);
        for (T5Block block : blocks) {
            h = block.forward(h, bias);
        }
        return T5Block.rmsNorm(h, finalLayerNorm, config.layerNormEpsilon());
    }

    /** [1, H, L, L]: bias[h, i, j] = table[bucket(j − i), h] (query i, key j). */
    NDArray positionBias(NDManager m, int len) {
        long[] buckets = new long[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = 0; j < len; j++) {
                buckets[i * len + j] = bucket(j - i, config.relativeAttentionNumBuckets(),
                        config.relativeAttentionMaxDistance());
            }
        }
        NDArray idx = m.create(buckets, new Shape(len, len));
        NDArray bias = relativeAttentionBias.get(idx); // [L, L, H]
        bias.attach(m);
        return bias.transpose(2, 0, 1).expandDims(0);
    }

    /**
     * The bidirectional bucket of a relative position rel = key − query (SD3.md §4.5): half the buckets
     * per direction (keys after the query offset by n/2); distances below n/4 exact; beyond,
     * logarithmic up to max_distance, then the last bucket. Computed in float32 like transformers'
     * tensor code, so boundary distances (e.g. 16 → bucket 10 for 32/128) round the same way.
     */
    public static int bucket(int rel, int numBuckets, int maxDistance) {
        int n = numBuckets / 2;
        int base = rel > 0 ? n : 0;
        int a = Math.abs(rel);
        int exact = n / 2;
        if (a < exact) {
            return base + a;
        }
        float ratio = (float) a / (float) exact;
        float logRatio = (float) Math.log(ratio);
        float scaled = logRatio / (float) Math.log((double) maxDistance / exact) * (float) (n - exact);
        return base + Math.min(exact + (int) scaled, n - 1);
    }
}
