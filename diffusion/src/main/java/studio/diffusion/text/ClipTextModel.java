package studio.diffusion.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.core.device.Precision;
import studio.core.ops.Ops;
import studio.core.safetensors.SafeTensors;
import studio.core.weights.LoadReport;
import studio.core.weights.Weights;
import studio.diffusion.lora.LoraLinear;
import studio.diffusion.nn.Params;

/**
 * CLIPTextModelWithProjection as diffusers loads SD3's {@code text_encoder/} (CLIP-L) and
 * {@code text_encoder_2/} (OpenCLIP bigG), SD3.md §4.1–4.3. Parts in checkpoint order:
 * {@code text_model.embeddings.{token,position}_embedding}, {@code text_model.encoder.layers.*},
 * {@code text_model.final_layer_norm}, {@code text_projection}.
 *
 * <p>What SD3 takes from it ({@link #forward}): the penultimate hidden state
 * ({@code hidden_states[-2]}, the output of layer N−2 counting from 0, <b>without</b> final_layer_norm)
 * and the pooled vector = text_projection(final_layer_norm(last)[EOS position]). No attention mask
 * besides the causal one (SD3 passes none; pads are hidden from earlier positions by causality).
 * The {@code position_ids} buffer of older files is ignored.
 */
public final class ClipTextModel {

    /**
     * @param lastHidden final_layer_norm(output of the last layer) [B, L, W]
     * @param penultimate output of the second-to-last layer, no final LN [B, L, W] (SD3's sequence embedding)
     * @param pooled text_projection of lastHidden at the EOS position [B, P]
     */
    public record Output(NDArray lastHidden, NDArray penultimate, NDArray pooled) {}

    private final ClipConfig config;
    private final Precision precision;
    private final LoadReport report;
    private final Map<String, LoraLinear> linears = new LinkedHashMap<>();
    private final NDArray tokenEmbedding; // text_model.embeddings.token_embedding.weight [V, W]
    private final NDArray positionEmbedding; // text_model.embeddings.position_embedding.weight [77, W]
    private final List<ClipEncoderLayer> layers = new ArrayList<>(); // text_model.encoder.layers.{n}
    private final NDArray finalLayerNormWeight; // text_model.final_layer_norm.weight [W]
    private final NDArray finalLayerNormBias; // text_model.final_layer_norm.bias [W]
    private final NDArray textProjection; // text_projection.weight [P, W], no bias

    /** From a checkpoint (root view); strict: {@link Weights#requireComplete()}. */
    public ClipTextModel(Weights w, ClipConfig c) {
        this(Params.of(w.ignoreUnused("text_model\\.embeddings\\.position_ids")), c, w);
    }

    /** Random weights (N(0, 0.02²)), for tests and benchmarks without a checkpoint. */
    public static ClipTextModel random(ClipConfig c, NDManager manager, Precision precision) {
        return new ClipTextModel(Params.random(manager, precision, 0.02f, ""), c, null);
    }

    /** Built from any {@link Params} (initial weights for training); no load report. */
    public static ClipTextModel of(Params p, ClipConfig c) {
        return new ClipTextModel(p, c, null);
    }

    private ClipTextModel(Params w, ClipConfig c, Weights checkpoint) {
        config = c;
        precision = w.precision();
        long width = c.hiddenSize();
        Params tm = w.pp("text_model");
        tokenEmbedding = tm.get("embeddings.token_embedding.weight", c.vocabSize(), width);
        positionEmbedding = tm.get("embeddings.position_embedding.weight", c.maxPositionEmbeddings(), width);
        for (int n = 0; n < c.numHiddenLayers(); n++) {
            layers.add(new ClipEncoderLayer(tm.pp("encoder.layers", n), c, linears));
        }
        finalLayerNormWeight = tm.get("final_layer_norm.weight", width);
        finalLayerNormBias = tm.get("final_layer_norm.bias", width);
        textProjection = w.get("text_projection.weight", c.projectionDim(), width);
        report = checkpoint == null ? LoadReport.random() : checkpoint.finishLoad();
    }

    /** Loads a transformers folder ({@code config.json} + {@code model.safetensors}, single or sharded). */
    public static ClipTextModel load(Path folder, NDManager manager, Precision precision) throws IOException {
        ClipConfig c = ClipConfig.fromConfigJson(folder.resolve("config.json"));
        try (SafeTensors file = SafeTensors.open(folder)) {
            return new ClipTextModel(Weights.of(file, manager, precision), c);
        }
    }

    public ClipConfig config() {
        return config;
    }

    public Precision precision() {
        return precision;
    }

    public LoadReport loadReport() {
        return report;
    }

    /** Every Linear by module path, e.g. {@code text_model.encoder.layers.0.self_attn.q_proj}. */
    public Map<String, LoraLinear> linears() {
        return Collections.unmodifiableMap(linears);
    }

    /** ids [B, L] int64, L ≤ max_position_embeddings; results in the compute precision, in ids' manager. */
    public Output forward(NDArray ids) {
        long b = ids.getShape().get(0);
        int len = (int) ids.getShape().get(1);
        NDManager m = ids.getManager();
        NDArray h = tokenEmbedding.get(ids); // [B, L, W]
        h.attach(m); // an indexing result lands in the table's manager: move it to the activations'
        try (NDArray pos = positionEmbedding.get(new NDIndex("0:{}", len))) {
            h = h.add(pos);
        }
        NDArray causal = causalMask(m, len);
        NDArray penultimate = h;
        for (int n = 0; n < layers.size(); n++) {
            h = layers.get(n).forward(h, causal);
            if (n == layers.size() - 2) {
                penultimate = h;
            }
        }
        NDArray last = Ops.layerNorm(h, finalLayerNormWeight, finalLayerNormBias, config.layerNormEps());
        long[] eos = eosPositions(ids.toLongArray(), b, len, config.eosTokenId());
        NDList rows = new NDList();
        for (int i = 0; i < b; i++) {
            rows.add(last.get(new NDIndex("{}, {}", i, eos[i]))); // [W]
        }
        NDArray pooled = Ops.linear(NDArrays.stack(rows), textProjection, null); // [B, P]
        return new Output(last, penultimate, pooled);
    }

    /**
     * The pooling position per row, as transformers picks it (SD3.md §4.3): with the legacy
     * eos_token_id 2 of SD3's configs, the argmax of the ids (the first highest id, which is the first
     * {@code <|endoftext|>} 49407 because it is the largest id); otherwise the first id equal to
     * eos_token_id (0 when absent, as argmax over an all-false row gives).
     */
    static long[] eosPositions(long[] ids, long rows, int len, int eosTokenId) {
        long[] out = new long[(int) rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int j = 0; j < len; j++) {
                long id = ids[r * len + j];
                if (eosTokenId == 2 ? id > ids[r * len + best] : id == eosTokenId) {
                    best = j;
                    if (eosTokenId != 2) {
                        break;
                    }
                }
            }
            out[r] = best;
        }
        return out;
    }

    /** [L, L] boolean, true where key j ≤ query i. */
    static NDArray causalMask(NDManager m, int len) {
        boolean[] keep = new boolean[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = 0; j <= i; j++) {
                keep[i * len + j] = true;
            }
        }
        return m.create(keep, new Shape(len, len));
    }
}
