package studio.eval.geneval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalClause;
import studio.core.device.Precision;
import studio.core.device.Torch;
import studio.diffusion.text.ClipTextModel;
import studio.diffusion.text.ClipTokenizer;
import studio.diffusion.text.ClipVisionModel;

/**
 * GenEval's colour classifier with a CLIP held in the diffusers/transformers layout: CLIP zero-shot over the ten
 * colours with the three official templates, as {@code color_classification} in evaluate_images.py does through
 * clip_benchmark: per colour, the three prompts' text embeddings ({@code encode_text} = the projected EOS state,
 * {@link ClipTextModel.Output#pooled}) are each L2-normalised, averaged and normalised again
 * ({@code zero_shot_classifier}); each crop's image embedding ({@code encode_image} =
 * {@link ClipVisionModel.Output#imageEmbeds}) is normalised, and the colour is the argmax of the dot products
 * ({@code run_classification}'s {@code 100 · image @ classifier}, whose scale does not move the argmax).
 *
 * <p>Folder layout ({@link #open}): {@code image_encoder/} (CLIPVisionModelWithProjection) and the text tower
 * {@code text_encoder/} with {@code tokenizer/}, or {@code text_encoder_2/} with {@code tokenizer_2/}
 * (CLIPTextModelWithProjection), as pancap-tiny ships them and as a transformers {@code CLIPModel} such as
 * openai/clip-vit-large-patch14 splits into (vision_model.* + visual_projection → image_encoder, text_model.* +
 * text_projection → text_encoder). Preprocessing from {@code preprocessor_config.json} when the folder has one
 * (a real CLIP: 224, OpenAI mean/std), else the tiny CLIP's own convention ({@link ClipPreprocess#tiny}).
 *
 * <p>Which text tower: {@code text_encoder} by default. The official classifier is OpenAI ViT-L/14, whose text
 * tower is exactly what SD3 ships as {@code text_encoder} (CLIP-L); pancap-tiny's {@code text_encoder} is its
 * CLIP-L-class tower. Both pancap-tiny text towers were trained against the one image tower (their two InfoNCE
 * losses summed, {@code ClipTrainer}) and both project to its 128-d space, so {@code text_encoder_2} works too;
 * the README gives both towers' measured accuracy on world crops.
 */
public final class ClipColorClassifier implements ColorClassifier, AutoCloseable {
    public static final String TEXT_ENCODER = "text_encoder";
    public static final String TEXT_ENCODER_2 = "text_encoder_2";

    private final NDManager manager;
    private final ClipVisionModel image;
    private final ClipTextModel text;
    private final ClipTokenizer tokenizer;
    private final ClipPreprocess preprocess;
    private final String description;
    private final Map<String, float[][]> classifiers = new HashMap<>();

    /** Takes ownership of {@code manager}, which holds both towers. */
    public ClipColorClassifier(NDManager manager, ClipVisionModel image, ClipTextModel text, ClipTokenizer tokenizer,
                               ClipPreprocess preprocess, String description) {
        if (image.config().projectionDim() != text.config().projectionDim()) {
            throw new BadInputException(description, "image projection is " + image.config().projectionDim()
                    + "-d but the text projection " + text.config().projectionDim() + "-d: not one CLIP");
        }
        this.manager = manager;
        this.image = image;
        this.text = text;
        this.tokenizer = tokenizer;
        this.preprocess = preprocess;
        this.description = description;
    }

    /** The tokenizer folder that goes with a text tower. */
    public static String tokenizerFolder(String textTower) {
        return switch (textTower) {
            case TEXT_ENCODER -> "tokenizer";
            case TEXT_ENCODER_2 -> "tokenizer_2";
            default -> throw new BadInputException("--clip-text", "expected text_encoder or text_encoder_2, got " + textTower);
        };
    }

    /** Refuses a folder without {@code image_encoder/}, the text tower and its tokenizer. */
    public static void requireFolder(Path root, String textTower) {
        String tokenizer = tokenizerFolder(textTower);
        for (String part : List.of("image_encoder", textTower, tokenizer)) {
            if (!Files.isDirectory(root.resolve(part))) {
                throw new BadInputException(root.resolve(part).toString(), "missing: a CLIP folder for GenEval colours needs "
                        + "image_encoder/, " + textTower + "/ and " + tokenizer + "/ (--clip)");
            }
        }
    }

    /** Loads {@code root/image_encoder}, {@code root/<textTower>} and its tokenizer in fp32 on the CPU. */
    public static ClipColorClassifier open(Path root, String textTower) throws IOException {
        requireFolder(root, textTower);
        String tokenizerFolder = tokenizerFolder(textTower);
        NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), Torch.engine().getEngineName());
        try {
            ClipVisionModel image = ClipVisionModel.load(root.resolve("image_encoder"), manager, Precision.F32);
            ClipTextModel text = ClipTextModel.load(root.resolve(textTower), manager, Precision.F32);
            ClipTokenizer tokenizer = ClipTokenizer.load(root.resolve(tokenizerFolder));
            Path config = ClipPreprocess.findConfig(root);
            ClipPreprocess preprocess = config != null ? ClipPreprocess.read(config)
                    : ClipPreprocess.tiny(image.config().imageSize());
            return new ClipColorClassifier(manager, image, text, tokenizer, preprocess,
                    describe(root, textTower, image, preprocess));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    static String describe(Path root, String textTower, ClipVisionModel image, ClipPreprocess preprocess) {
        return "CLIP zero-shot, 10 colours x 3 official templates: " + root + " (image_encoder + " + textTower + ", "
                + image.config().projectionDim() + "-d; " + preprocess + ")";
    }

    public String description() {
        return description;
    }

    @Override
    public List<String> classify(List<BufferedImage> crops, String className) {
        if (crops.isEmpty()) {
            return List.of();
        }
        float[][] weights = classifier(className);
        float[][] features = imageFeatures(crops);
        List<String> colors = new ArrayList<>(crops.size());
        for (float[] f : features) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < weights.length; c++) {
                double s = dot(f, weights[c]);
                if (s > bestScore) { // first maximum, as torch's argmax
                    bestScore = s;
                    best = c;
                }
            }
            colors.add(GenevalClause.COLORS.get(best));
        }
        return colors;
    }

    /**
     * The zero-shot weights of one class name, [10 colours][P], each the normalised mean of its three templates'
     * normalised text embeddings; computed once per class name ({@code COLOR_CLASSIFIERS} in evaluate_images.py).
     */
    public float[][] classifier(String className) {
        return classifiers.computeIfAbsent(className, this::buildClassifier);
    }

    private float[][] buildClassifier(String className) {
        List<String> texts = new ArrayList<>();
        for (String color : GenevalClause.COLORS) {
            texts.addAll(ColorClassifier.templates(color, className));
        }
        float[][] embeddings = textEmbeddings(texts);
        int templates = texts.size() / GenevalClause.COLORS.size();
        float[][] weights = new float[GenevalClause.COLORS.size()][];
        for (int c = 0; c < weights.length; c++) {
            float[] mean = new float[embeddings[0].length];
            for (int t = 0; t < templates; t++) {
                float[] e = normalised(embeddings[c * templates + t]);
                for (int i = 0; i < mean.length; i++) {
                    mean[i] += e[i] / templates;
                }
            }
            weights[c] = normalised(mean);
        }
        return weights;
    }

    /**
     * Raw projected text embeddings [N][P], one 77-position row per text ([BOS, at most 75 tokens, EOS, pads], as
     * open_clip's tokenizer truncates).
     */
    public float[][] textEmbeddings(List<String> texts) {
        long[] ids = new long[texts.size() * ClipTokenizer.LENGTH];
        for (int i = 0; i < texts.size(); i++) {
            int[] all = tokenizer.encode(texts.get(i)).ids();
            int[] kept = java.util.Arrays.copyOf(all, Math.min(all.length, ClipTokenizer.CHUNK_TOKENS));
            System.arraycopy(tokenizer.chunks(kept, 1)[0], 0, ids, i * ClipTokenizer.LENGTH, ClipTokenizer.LENGTH);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray pooled = text.forward(scope.create(ids, new Shape(texts.size(), ClipTokenizer.LENGTH))).pooled();
            return rows(pooled.toFloatArray(), texts.size());
        }
    }

    /** Normalised image embeddings [N][P] of the crops, each preprocessed as {@link ClipPreprocess} says. */
    public float[][] imageFeatures(List<BufferedImage> crops) {
        int side = preprocess.cropSize();
        if (side != image.config().imageSize()) {
            throw new BadInputException(description, "preprocessing crops to " + side + " px but the image tower takes "
                    + image.config().imageSize());
        }
        float[] pixels = new float[crops.size() * 3 * side * side];
        for (int i = 0; i < crops.size(); i++) {
            System.arraycopy(preprocess.pixels(crops.get(i)), 0, pixels, i * 3 * side * side, 3 * side * side);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray embeds = image.forward(scope.create(pixels, new Shape(crops.size(), 3, side, side))).imageEmbeds();
            float[][] out = rows(embeds.toFloatArray(), crops.size());
            for (int i = 0; i < out.length; i++) {
                out[i] = normalised(out[i]);
            }
            return out;
        }
    }

    private static float[][] rows(float[] flat, int n) {
        int w = flat.length / n;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * w, (i + 1) * w);
        }
        return out;
    }

    static float[] normalised(float[] v) {
        double norm = Math.sqrt(dot(v, v));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.max(norm, 1e-12)); // F.normalize's eps
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Opens the CLIP at the first colour clause (a run without one never loads it); closes it if it did. */
    public static final class Lazy implements ColorClassifier, AutoCloseable {
        private final Path root;
        private final String textTower;
        private ClipColorClassifier loaded;

        public Lazy(Path root, String textTower) {
            this.root = root;
            this.textTower = textTower;
        }

        @Override
        public List<String> classify(List<BufferedImage> crops, String className) {
            if (loaded == null) {
                try {
                    loaded = open(root, textTower);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot load the CLIP in " + root, e);
                }
            }
            return loaded.classify(crops, className);
        }

        /** The loaded classifier's description, or what it would have been. */
        public String description() {
            return loaded != null ? loaded.description() : "CLIP zero-shot in " + root + " (" + textTower
                    + "), not loaded: no colour clause needed it";
        }

        @Override
        public void close() {
            if (loaded != null) {
                loaded.close();
            }
        }
    }
}
