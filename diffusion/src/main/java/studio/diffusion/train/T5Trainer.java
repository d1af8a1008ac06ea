package studio.diffusion.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import studio.core.BadInputException;
import studio.core.config.Configs;
import studio.core.device.Precision;
import studio.core.io.AtomicFiles;
import studio.core.ops.Ops;
import studio.core.safetensors.SafeTensorsWriter;
import studio.core.train.Progress;
import studio.diffusion.text.ClipVisionModel;
import studio.diffusion.text.T5Config;
import studio.diffusion.text.T5Encoder;
import studio.diffusion.text.T5Tokenizer;
import studio.diffusion.text.TokenizedText;

/**
 * Trains pancap-tiny's T5-class text encoder (issue 6): the same {@link T5Encoder} SD3's pipeline loads, from
 * T5-style initial weights ({@link T5InitParams}), contrastively against the <b>frozen</b> image tower of the trained
 * CLIP ({@code image_encoder/}). T5EncoderModel has no decoder, so T5's span-corruption objective would need one
 * trained and thrown away; the MMDiT only needs hidden states that separate the world's objects, colours, counts and
 * positions, which the contrastive signal asks for.
 *
 * <p>Text embedding = mean of the final hidden states over the non-pad positions (pieces and {@code </s>}), through
 * {@code projection} [P, D], a training-only linear map into the image space (dropped at save: T5EncoderModel has no
 * such layer, and SD3 uses the hidden states). Captions are encoded as the pipeline encodes prompts
 * ({@link T5Tokenizer#ids}: max_tokens − 1 pieces, {@code </s>}, pads) and run without an attention mask, as SD3 runs
 * T5 (SD3.md §7.11), so training sees the pads inference sees. Loss: CLIP's symmetric InfoNCE ({@link ContrastiveLoss})
 * with a learned, clamped logit scale. The image embeddings are computed once (projected, normalised) and kept in
 * memory. The loop, checkpoints and exact resume are {@link ContrastiveRun}'s. Writes {@code text_encoder_3/}:
 * transformers' T5Config keys + {@code model.safetensors} in T5EncoderModel keys ({@code shared.weight}; the tied
 * {@code encoder.embed_tokens.weight} is not stored, as transformers saves it).
 */
public final class T5Trainer extends ContrastiveRun {
    static final String WEIGHTS = "t5.safetensors";
    static final String PART = "text_encoder_3";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The run folder, steps trained, last loss, the written {@code text_encoder_3/}, and captions cut at max_tokens. */
    public record Result(Path runDir, long steps, double lastLoss, Path folder, int longTruncated, int shortTruncated) {}

    private final T5TrainConfig c;
    private final T5Tokenizer tok;
    private final T5Config t5;
    private final float[][] imageEmbeds; // [N][P], normalised, frozen
    private T5Encoder encoder;
    private NDArray projection; // projection.weight [P, D], training only
    private NDArray logitScale; // [1]

    private T5Trainer(T5TrainConfig c, ClipPairs pairs, T5Tokenizer tok, float[][] imageEmbeds, Progress progress,
                      Consumer<String> log) {
        super(new Plan(c.seed(), c.steps(), c.batchSize(), c.logEvery(), c.maxMinutes(), c.data().shortRatio(),
                c.optimizer(), c.schedule(), c.checkpoint(), Configs.toJson(c)), Path.of(c.outputDir()), pairs, WEIGHTS,
                progress, log);
        this.c = c;
        this.tok = tok;
        this.t5 = c.t5Config(tok.vocabSize());
        this.imageEmbeds = imageEmbeds;
    }

    public static Result run(T5TrainConfig c, boolean resume, Progress progress, Consumer<String> log) throws IOException {
        c.check();
        Path imageDir = Path.of(c.imageEncoder());
        if (!Files.isRegularFile(imageDir.resolve("config.json"))) {
            throw new BadInputException("image_encoder", "no config.json in " + imageDir + " (the clip task's image_encoder/)");
        }
        Path tokDir = Path.of(c.tokenizers()).resolve("tokenizer_3");
        if (!Files.isRegularFile(tokDir.resolve("tokenizer.json"))) {
            throw new BadInputException("tokenizers", "no tokenizer_3/tokenizer.json in " + c.tokenizers()
                    + " (run the tokenizers task first)");
        }
        try (T5Tokenizer tok = T5Tokenizer.load(tokDir)) {
            ClipPairs pairs = ClipPairs.load(c.data(), log);
            int[] cut = truncation(pairs, tok, c.maxTokens());
            log.accept(String.format(Locale.ROOT, "max_tokens %d cuts %d of %d long captions (longest %d pieces, mean %.1f) "
                    + "and %d short ones (longest %d)", c.maxTokens(), cut[0], pairs.count(), cut[2], cut[3] / (double) pairs.count(),
                    cut[1], cut[4]));
            float[][] embeds = imageEmbeddings(imageDir, pairs, c.data().resolution(), log);
            Outcome o = new T5Trainer(c, pairs, tok, embeds, progress, log).run(resume);
            return new Result(Path.of(c.outputDir()), o.steps(), o.lastLoss(), o.folders().get(0), cut[0], cut[1]);
        }
    }

    /**
     * {long, short} captions with more than max_tokens − 1 pieces (cut by {@link T5Tokenizer#ids}), then the longest
     * long caption's pieces, the long captions' total pieces and the longest short caption's.
     */
    private static int[] truncation(ClipPairs pairs, T5Tokenizer tok, int maxTokens) {
        int[] cut = new int[5];
        for (int i = 0; i < pairs.count(); i++) {
            int lengthLong = tok.encode(pairs.get(i).longCaption()).size();
            int lengthShort = tok.encode(pairs.get(i).shortCaption()).size();
            cut[0] += lengthLong > maxTokens - 1 ? 1 : 0;
            cut[1] += lengthShort > maxTokens - 1 ? 1 : 0;
            cut[2] = Math.max(cut[2], lengthLong);
            cut[3] += lengthLong;
            cut[4] = Math.max(cut[4], lengthShort);
        }
        return cut;
    }

    /** The frozen tower's normalised projected embedding of every image, once ([N][P]); no autograd. */
    private static float[][] imageEmbeddings(Path folder, ClipPairs pairs, int resolution, Consumer<String> log)
            throws IOException {
        long t0 = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager()) {
            ClipVisionModel image = ClipVisionModel.load(folder, m, Precision.F32);
            if (image.config().imageSize() != resolution) {
                throw new BadInputException("image_encoder", folder + " takes " + image.config().imageSize()
                        + " px images, data.resolution is " + resolution);
            }
            int n = pairs.count();
            int p = image.config().projectionDim();
            float[][] out = new float[n][];
            for (int from = 0; from < n; from += 64) {
                int[] idx = new int[Math.min(64, n - from)];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = from + i;
                }
                try (NDManager scope = m.newSubManager()) {
                    float[] e = ContrastiveLoss.normalise(image.forward(pairs.pixels(scope, idx)).imageEmbeds()).toFloatArray();
                    for (int i = 0; i < idx.length; i++) {
                        out[from + i] = java.util.Arrays.copyOfRange(e, i * p, (i + 1) * p);
                    }
                }
            }
            log.accept(String.format(Locale.ROOT, "image embeddings: %d × %d from %s in %.1f s", n, p, folder,
                    (System.nanoTime() - t0) / 1e9));
            return out;
        }
    }

    /** T5 from T5-style initial weights, then the projection (nn.Linear init) and temperature, seeded with the run seed. */
    @Override
    Map<String, NDArray> build(NDManager manager) {
        Engine.getInstance().setRandomSeed((int) c.seed());
        Map<String, NDArray> params = new LinkedHashMap<>();
        encoder = T5Encoder.of(new RecordingParams(new T5InitParams(manager, "", t5), params), t5);
        projection = new InitParams(manager, "").get("projection.weight", imageEmbeds[0].length, t5.dModel());
        params.put("projection.weight", projection);
        logitScale = manager.full(new Shape(1), (float) c.logitScaleInit(), DataType.FLOAT32);
        params.put("logit_scale", logitScale);
        params.values().forEach(p -> p.setRequiresGradient(true));
        return params;
    }

    /** {loss, batch accuracy (image → text top-1), captions of the batch cut at max_tokens}. */
    @Override
    double[] forwardBackward(int[] idx, List<String> captions, NDManager scope) {
        int b = idx.length;
        int len = c.maxTokens();
        long[] ids = new long[b * len];
        float[] keep = new float[b * len];
        int truncated = 0;
        for (int i = 0; i < b; i++) {
            TokenizedText t = tok.encode(captions.get(i));
            truncated += t.size() > len - 1 ? 1 : 0;
            long[] row = tok.ids(t, len);
            System.arraycopy(row, 0, ids, i * len, len);
            for (int j = 0; j < len; j++) {
                keep[i * len + j] = row[j] == tok.pad() ? 0f : 1f;
            }
        }
        int p = imageEmbeds[0].length;
        float[] img = new float[b * p];
        for (int i = 0; i < b; i++) {
            System.arraycopy(imageEmbeds[idx[i]], 0, img, i * p, p);
        }
        NDArray idArray = scope.create(ids, new Shape(b, len));
        NDArray mask = scope.create(keep, new Shape(b, len, 1));
        NDArray image = scope.create(img, new Shape(b, p));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray scale = logitScale.clip(0.0, Math.log(100)).exp();
            NDArray h = encoder.forward(idArray); // [B, L, D]
            NDArray pooled = h.mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1})); // [B, D]
            NDArray text = ContrastiveLoss.normalise(Ops.linear(pooled, projection, null)); // [B, P]
            NDArray[] l = ContrastiveLoss.infoNce(image, text, scale);
            double[] out = {l[0].getFloat(), l[1].getFloat(), truncated};
            gc.backward(l[0]);
            return out;
        }
    }

    @Override
    List<String> termNames() {
        return List.of("loss", "batch_accuracy", "truncated");
    }

    /** {@code text_encoder_3/}: every T5 key (projection and logit_scale dropped), transformers' T5Config. */
    @Override
    List<Path> write(Map<String, NDArray> params) throws IOException {
        Path folder = runDir.resolve(PART);
        Files.createDirectories(folder);
        SafeTensorsWriter w = new SafeTensorsWriter();
        params.forEach((k, v) -> {
            if (!k.equals("projection.weight") && !k.equals("logit_scale")) {
                w.addF32(k, v.getShape().getShape(), v.toFloatArray());
            }
        });
        w.metadata("format", "pt").metadata("studio.training_config", Configs.toJson(c));
        w.write(folder.resolve("model.safetensors"));
        AtomicFiles.write(folder.resolve("config.json"), JSON.writeValueAsBytes(config(t5, tok)));
        return List.of(folder);
    }

    /** transformers' T5Config for a T5EncoderModel (the keys of SD3's text_encoder_3/config.json). */
    static ObjectNode config(T5Config t, T5Tokenizer tok) {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("T5EncoderModel");
        return n.put("model_type", "t5").put("vocab_size", t.vocabSize()).put("d_model", t.dModel()).put("d_kv", t.dKv())
                .put("d_ff", t.dFf()).put("num_layers", t.numLayers()).put("num_decoder_layers", t.numLayers())
                .put("num_heads", t.numHeads()).put("relative_attention_num_buckets", t.relativeAttentionNumBuckets())
                .put("relative_attention_max_distance", t.relativeAttentionMaxDistance()).put("dropout_rate", 0.1)
                .put("layer_norm_epsilon", t.layerNormEpsilon()).put("initializer_factor", 1.0)
                .put("feed_forward_proj", "gated-gelu").put("dense_act_fn", "gelu_new").put("is_gated_act", true)
                .put("is_encoder_decoder", true).put("tie_word_embeddings", false).put("use_cache", true)
                .put("pad_token_id", tok.pad()).put("eos_token_id", tok.eos()).put("decoder_start_token_id", tok.pad())
                .put("torch_dtype", "float32");
    }
}
