package studio.eval.clipscore;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.core.weights.Weights;
import studio.diffusion.text.ClipConfig;
import studio.diffusion.text.ClipTextModel;
import studio.diffusion.text.ClipTokenizer;

/**
 * A CLIP text tower as {@link TextEmbedder}: {@link ClipTokenizer} and {@link ClipTextModel}'s projected pooled output
 * (CLIPTextModelWithProjection {@code text_embeds}, the vector CLIPScore compares with the image embedding). Text
 * longer than the context is cut as {@code clip.tokenize(text, truncate=True)} cuts it: [BOS, the first 75 tokens,
 * EOS]. Embeddings are cached by text (GenEval scores four images per prompt).
 */
public final class ClipTextEmbedder implements TextEmbedder, AutoCloseable {
    private final ClipTokenizer tokenizer;
    private final ClipTextModel model;
    private final NDManager manager;
    private final Map<String, float[]> cache = new HashMap<>();

    private ClipTextEmbedder(ClipTokenizer tokenizer, ClipTextModel model, NDManager manager) {
        this.tokenizer = tokenizer;
        this.model = model;
        this.manager = manager;
    }

    /**
     * {@code textFolder}: a CLIPTextModelWithProjection folder, or a whole CLIPModel folder (its vision keys are expected
     * and left unread); {@code tokenizerFolder}: vocab.json, merges.txt, special_tokens_map.json.
     */
    public static ClipTextEmbedder load(Path textFolder, Path tokenizerFolder, NDManager parent) throws IOException {
        ClipConfig config = ClipConfig.fromConfigJson(textFolder.resolve("config.json"));
        if (config.maxPositionEmbeddings() != ClipTokenizer.LENGTH) {
            throw new BadInputException(textFolder.resolve("config.json") + ": max_position_embeddings",
                    "only 77-position CLIP text towers are supported, got " + config.maxPositionEmbeddings());
        }
        ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerFolder);
        NDManager manager = parent.newSubManager();
        try (SafeTensors st = SafeTensors.open(textFolder)) {
            Weights w = Weights.of(st, manager, Precision.F32)
                    .ignoreUnused("vision_model\\..*|visual_projection\\.weight|logit_scale");
            return new ClipTextEmbedder(tokenizer, new ClipTextModel(w, config), manager);
        } catch (RuntimeException | IOException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public int maxTokens() {
        return ClipTokenizer.LENGTH;
    }

    @Override
    public int tokenCount(String text) {
        return tokenizer.encode(text).ids().length + 2;
    }

    @Override
    public synchronized float[] embed(String text) {
        float[] cached = cache.get(text);
        if (cached != null) {
            return cached;
        }
        int[] all = tokenizer.encode(text).ids();
        int[] kept = Arrays.copyOf(all, Math.min(all.length, ClipTokenizer.CHUNK_TOKENS));
        long[] ids = tokenizer.chunks(kept, 1)[0];
        float[] out;
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(ids, new Shape(1, ids.length));
            out = model.forward(x).pooled().toFloatArray();
        }
        cache.put(text, out);
        return out;
    }

    public int dim() {
        return model.config().projectionDim();
    }

    @Override
    public void close() {
        manager.close();
    }
}
