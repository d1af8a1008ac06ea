package studio.eval.features.dinov2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.ops.Ops;
import studio.core.safetensors.SafeTensors;
import studio.core.weights.LoadReport;
import studio.core.weights.Weights;
import studio.diffusion.nn.Params;

/**
 * DINOv2 ViT in transformers' {@code Dinov2Model} keys ({@code embeddings.*}, {@code encoder.layer.N.*},
 * {@code layernorm}), computing what FD-DINOv2 uses (dgm-eval {@code DINOv2Encoder}): the torch.hub model's
 * {@code forward}, i.e. {@code x_norm_clstoken} = the CLS token of the last layer norm's output (transformers'
 * {@code pooler_output}). Weights: a folder with {@code config.json} and {@code model.safetensors} (facebook/dinov2-large
 * on the Hub), or a single safetensors file whose configuration is inferred from its shapes.
 */
public final class Dinov2Model implements AutoCloseable {
    private final Dinov2Config config;
    private final NDManager manager;
    private final LoadReport report;
    private final Dinov2Embeddings embeddings; // embeddings
    private final List<Dinov2Layer> layers = new ArrayList<>(); // encoder.layer.N
    private final NDArray layernormWeight; // layernorm.weight [D]
    private final NDArray layernormBias; // layernorm.bias [D]

    private Dinov2Model(Params w, Dinov2Config c, NDManager manager, Weights checkpoint) {
        config = c;
        this.manager = manager;
        embeddings = new Dinov2Embeddings(w.pp("embeddings"), c);
        for (int n = 0; n < c.numHiddenLayers(); n++) {
            layers.add(new Dinov2Layer(w.pp("encoder.layer", n), c));
        }
        layernormWeight = w.get("layernorm.weight", c.hiddenSize());
        layernormBias = w.get("layernorm.bias", c.hiddenSize());
        report = checkpoint == null ? LoadReport.random() : checkpoint.finishLoad();
    }

    /** Built from any {@link Params} (tests); does not own a manager. */
    public static Dinov2Model of(Params w, Dinov2Config c) {
        return new Dinov2Model(w, c, null, null);
    }

    /** Loads a folder (config.json + model.safetensors) or a single file, fp32, strictly, into a child of {@code parent}. */
    public static Dinov2Model load(Path weights, NDManager parent) throws IOException {
        if (!Files.exists(weights)) {
            throw new BadInputException(weights.toString(), "no such DINOv2 weights (a transformers Dinov2Model folder or "
                    + "a safetensors file in its keys)");
        }
        NDManager manager = parent.newSubManager();
        try (SafeTensors st = SafeTensors.open(weights)) {
            Path config = weights.resolve("config.json");
            Dinov2Config c = Files.isDirectory(weights) && Files.isRegularFile(config)
                    ? Dinov2Config.fromConfigJson(config) : Dinov2Config.inferFrom(st);
            Weights w = Weights.of(st, manager, Precision.F32);
            return new Dinov2Model(Params.of(w), c, manager, w);
        } catch (RuntimeException | IOException e) {
            manager.close();
            throw e;
        }
    }

    public Dinov2Config config() {
        return config;
    }

    public LoadReport loadReport() {
        return report;
    }

    /** pixels [B, C, S, S] normalised, S a multiple of the patch → CLS of the last layer norm [B, D]. */
    public NDArray clsToken(NDArray pixels) {
        long side = pixels.getShape().get(2);
        if (side != pixels.getShape().get(3) || side % config.patchSize() != 0) {
            throw new IllegalArgumentException("DINOv2 input must be square with a side divisible by "
                    + config.patchSize() + ", got " + pixels.getShape());
        }
        NDArray h = embeddings.forward(pixels);
        for (Dinov2Layer layer : layers) {
            h = layer.forward(h);
        }
        NDArray cls = h.get(new NDIndex(":, 0")); // the norm is per token, so normalising the CLS row alone is the same
        return Ops.layerNorm(cls, layernormWeight, layernormBias, config.layerNormEps());
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
