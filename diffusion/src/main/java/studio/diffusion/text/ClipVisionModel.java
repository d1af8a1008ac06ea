package studio.diffusion.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.core.device.Precision;
import studio.core.ops.Ops;
import studio.core.safetensors.SafeTensors;
import studio.core.weights.Weights;
import studio.diffusion.lora.LoraLinear;
import studio.diffusion.nn.Params;

/**
 * CLIPVisionModelWithProjection (Radford et al. 2021; transformers modeling_clip.py), the image tower of pancap-tiny's
 * CLIP and the world's CLIPScore / FD feature model (issue 6). Keys: {@code vision_model.embeddings.patch_embedding}
 * (Conv2d, stride = kernel = patch, no bias), {@code .class_embedding} [W], {@code .position_embedding} [N+1, W];
 * {@code vision_model.pre_layrnorm}; {@code vision_model.encoder.layers.N.*} ({@link ClipEncoderLayer}, the text
 * tower's layer, here without a mask); {@code vision_model.post_layernorm}; {@code visual_projection} [P, W], no bias.
 * Input pixels [B, C, S, S] already normalised by the caller (CLIP's per-channel mean/std, or [−1, 1]).
 */
public final class ClipVisionModel {
    /**
     * @param lastHidden the last layer's output [B, N+1, W] (no post LN, as transformers' last_hidden_state)
     * @param imageEmbeds visual_projection(post_layernorm(lastHidden[:, 0])) [B, P]
     */
    public record Output(NDArray lastHidden, NDArray imageEmbeds) {}

    private final ClipVisionConfig config;
    private final NDArray patchEmbedding; // [W, C, p, p]
    private final NDArray classEmbedding; // [W]
    private final NDArray positionEmbedding; // [N+1, W]
    private final NDArray preLnWeight;
    private final NDArray preLnBias;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();
    private final NDArray postLnWeight;
    private final NDArray postLnBias;
    private final NDArray visualProjection; // [P, W]
    private final Map<String, LoraLinear> linears = new LinkedHashMap<>();

    private ClipVisionModel(Params w, ClipVisionConfig c) {
        config = c;
        long width = c.hiddenSize();
        Params vm = w.pp("vision_model");
        Params emb = vm.pp("embeddings");
        patchEmbedding = emb.get("patch_embedding.weight", width, c.numChannels(), c.patchSize(), c.patchSize());
        classEmbedding = emb.get("class_embedding", width);
        positionEmbedding = emb.get("position_embedding.weight", c.positions(), width);
        preLnWeight = vm.get("pre_layrnorm.weight", width);
        preLnBias = vm.get("pre_layrnorm.bias", width);
        ClipConfig layer = c.layerConfig();
        for (int n = 0; n < c.numHiddenLayers(); n++) {
            layers.add(new ClipEncoderLayer(vm.pp("encoder.layers", n), layer, linears));
        }
        postLnWeight = vm.get("post_layernorm.weight", width);
        postLnBias = vm.get("post_layernorm.bias", width);
        visualProjection = w.get("visual_projection.weight", c.projectionDim(), width);
    }

    /** Built from any {@link Params} (initial weights for training, or random for tests). */
    public static ClipVisionModel of(Params p, ClipVisionConfig c) {
        return new ClipVisionModel(p, c);
    }

    /** A transformers folder (config.json + model.safetensors); strict load. */
    public static ClipVisionModel load(Path folder, NDManager manager, Precision precision) throws IOException {
        ClipVisionConfig c = ClipVisionConfig.fromConfigJson(folder.resolve("config.json"));
        try (SafeTensors file = SafeTensors.open(folder)) {
            Weights w = Weights.of(file, manager, precision).ignoreUnused("vision_model\\.embeddings\\.position_ids");
            ClipVisionModel m = new ClipVisionModel(Params.of(w), c);
            w.requireComplete();
            return m;
        }
    }

    public ClipVisionConfig config() {
        return config;
    }

    /** pixels [B, C, S, S] in the compute precision → last hidden state and projected image embeddings. */
    public Output forward(NDArray pixels) {
        long b = pixels.getShape().get(0);
        int p = config.patchSize();
        NDArray patches = Conv2d.conv2d(pixels, patchEmbedding, null, new Shape(p, p), new Shape(0, 0), new Shape(1, 1), 1)
                .singletonOrThrow(); // [B, W, g, g]
        long width = config.hiddenSize();
        NDArray tokens = patches.reshape(b, width, -1).transpose(0, 2, 1); // [B, g², W]
        NDArray cls = classEmbedding.reshape(1, 1, width).broadcast(new Shape(b, 1, width));
        cls.attach(pixels.getManager()); // a view of the weight lands in the weights' manager: move it to the activations'
        NDArray h = NDArrays.concat(new ai.djl.ndarray.NDList(cls, tokens), 1).add(positionEmbedding);
        h = Ops.layerNorm(h, preLnWeight, preLnBias, config.layerNormEps());
        for (ClipEncoderLayer layer : layers) {
            h = layer.forward(h, null);
        }
        NDArray pooled = Ops.layerNorm(h.get(new NDIndex(":, 0")), postLnWeight, postLnBias, config.layerNormEps());
        return new Output(h, Ops.linear(pooled, visualProjection, null));
    }
}
