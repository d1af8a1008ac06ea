package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import studio.core.data.panoptic.Category;
import studio.core.device.Precision;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;
import studio.core.weights.Weights;

/**
 * The tiny PanCaper for the world (EVAL.md §3.3): a mask-transformer panoptic segmenter
 * ({@link PixelEncoder} → {@link QueryDecoder}) and a grounded caption decoder over mask-pooled segment
 * features ({@link CaptionDecoder}). Parameters live in the manager given at construction, all fp32, under
 * the keys {@code pixel_encoder.*}, {@code query_decoder.*}, {@code caption_decoder.*}; a model folder holds
 * {@code config.json} and {@code model.safetensors}.
 */
public final class PanCaper {
    public static final String WEIGHTS = "model.safetensors";
    /** Input normalisation: (x/255 − 0.5)/0.25 per channel. */
    static final float MEAN = 0.5f;
    static final float STD = 0.25f;

    private PancaperConfig config;
    private final ParamStore store;
    private final Vocabulary vocabulary;
    final PixelEncoder pixelEncoder;
    final QueryDecoder queryDecoder;
    final CaptionDecoder captionDecoder;

    private PanCaper(PancaperConfig config, ParamStore store) {
        this.config = config;
        this.store = store;
        this.vocabulary = new Vocabulary(config.vocab());
        pixelEncoder = new PixelEncoder(store.params().pp("pixel_encoder"), config);
        queryDecoder = new QueryDecoder(store.params().pp("query_decoder"), config, pixelEncoder.posEmbed());
        captionDecoder = new CaptionDecoder(store.params().pp("caption_decoder"), config);
    }

    /** A new model with initial weights drawn from {@code seed} (see {@link ParamStore}). */
    public static PanCaper init(PancaperConfig config, NDManager manager, long seed) {
        return new PanCaper(config, ParamStore.init(manager, seed));
    }

    /** The model of a folder (config.json + model.safetensors); every key must be there with its shape, and no other. */
    public static PanCaper load(Path folder, NDManager manager) throws IOException {
        requireFolder(folder);
        PancaperConfig config = PancaperConfig.read(folder);
        try (SafeTensors st = SafeTensors.open(folder.resolve(WEIGHTS))) {
            Weights w = Weights.of(st, manager, Precision.F32);
            PanCaper model = new PanCaper(config, ParamStore.load(w));
            w.requireComplete();
            if (!w.report().unused().isEmpty()) {
                throw new studio.core.BadInputException(folder.resolve(WEIGHTS).toString(), "unexpected keys " + w.report().unused());
            }
            return model;
        }
    }

    /** Writes config.json and model.safetensors (fp32) into {@code folder}. */
    public void save(Path folder) throws IOException {
        config.write(folder);
        SafeTensorsWriter w = new SafeTensorsWriter();
        writeTensors(w);
        w.metadata("format", "pt").metadata("kind", PancaperConfig.KIND);
        w.write(folder.resolve(WEIGHTS));
    }

    /** Adds every parameter to {@code w} under its key. */
    public void writeTensors(SafeTensorsWriter w) {
        for (Map.Entry<String, NDArray> e : store.tensors().entrySet()) {
            w.addF32(e.getKey(), e.getValue().getShape().getShape(), e.getValue().toFloatArray());
        }
    }

    public PancaperConfig config() {
        return config;
    }

    /** Sets the inference thresholds stored with the model (the architecture stays). */
    public void thresholds(double object, double overlap) {
        config = config.withThresholds(object, overlap);
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Every parameter by key (the arrays themselves: AdamW updates them in place). */
    public Map<String, NDArray> parameters() {
        return store.tensors();
    }

    /** Parameter count. */
    public long size() {
        return store.tensors().values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /** image [B, 3, H, W] → pixel features and one prediction per decoder layer. */
    Segmentation segment(NDArray image) {
        PixelEncoder.Features f = pixelEncoder.forward(image);
        return new Segmentation(f, queryDecoder.forward(f.memory(), f.pixels()));
    }

    /** What the segmenter computes for a batch. */
    record Segmentation(PixelEncoder.Features features, List<QueryDecoder.Prediction> predictions) {
        QueryDecoder.Prediction last() {
            return predictions.get(predictions.size() - 1);
        }
    }

    /** The normalised CHW floats of an RGB image of the model's size, row-major per channel. */
    static float[] pixels(RgbImage image) {
        int hw = image.width() * image.height();
        float[] out = new float[3 * hw];
        byte[] rgb = image.rgb();
        for (int p = 0; p < hw; p++) {
            for (int c = 0; c < 3; c++) {
                out[c * hw + p] = ((rgb[3 * p + c] & 0xff) / 255f - MEAN) / STD;
            }
        }
        return out;
    }

    /** The categories of the class head by index, as a map by category id (for {@code GroundedResult}). */
    Map<Integer, Category> categoriesById() {
        Map<Integer, Category> m = new java.util.LinkedHashMap<>();
        config.categories().forEach(c -> m.put(c.id(), c));
        return m;
    }

    static void requireFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new studio.core.BadInputException(folder.toString(), "no such model folder");
        }
    }
}
