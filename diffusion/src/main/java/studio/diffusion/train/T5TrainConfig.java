package studio.diffusion.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.core.BadInputException;
import studio.core.config.Configs;
import studio.diffusion.text.T5Config;

/**
 * The "t5" task of {@code studio train} ({@link T5Trainer}): pancap-tiny's T5-class text encoder, trained
 * contrastively against a frozen CLIP image tower on world images and captions. Every key and its default is in
 * {@code t5-defaults.json} next to this class.
 *
 * @param maxMinutes wall-clock budget of this process; when it runs out the run checkpoints, ends and writes its
 *     folder (≤ 0: none), as the PanCaper's {@code max_minutes}
 * @param maxTokens T5 ids per caption: at most max_tokens − 1 pieces, {@code </s>}, pads (the pipeline's
 *     {@code max_sequence_length}); longer captions are cut and counted
 * @param tokenizers the folder holding {@code tokenizer_3/} (the "tokenizers" task's output)
 * @param imageEncoder a {@code CLIPVisionModelWithProjection} folder (the "clip" task's {@code image_encoder/}), frozen
 * @param model the T5EncoderModel's transformers config keys (vocab_size comes from the tokenizer)
 * @param logitScaleInit initial log temperature, ln(1/0.07) as CLIP
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record T5TrainConfig(String task, String outputDir, long seed, int steps, int batchSize, int logEvery,
                            double maxMinutes, int maxTokens, String tokenizers, String imageEncoder, Model model,
                            double logitScaleInit, ClipTrainConfig.Data data, TrainConfig.Optimizer optimizer,
                            TrainConfig.Schedule schedule, TrainConfig.Checkpoint checkpoint) {

    public static final String TASK = "t5";

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Model(int dModel, int dKv, int numHeads, int dFf, int numLayers, String feedForwardProj,
                        int relativeAttentionNumBuckets, int relativeAttentionMaxDistance, double layerNormEpsilon) {}

    public static ObjectNode preset() {
        return Configs.resource(T5TrainConfig.class, "t5-defaults.json");
    }

    public T5Config t5Config(int vocabSize) {
        return new T5Config(vocabSize, model.dModel(), model.dKv(), model.numHeads(), model.dFf(), model.numLayers(),
                model.relativeAttentionNumBuckets(), model.relativeAttentionMaxDistance(), model.layerNormEpsilon());
    }

    public void check() {
        if (!TASK.equals(task)) {
            throw new BadInputException("task", "expected t5, got " + task);
        }
        if (steps < 1 || batchSize < 2 || logEvery < 1 || checkpoint.every() < 1 || checkpoint.keep() < 1) {
            throw new BadInputException("t5 config", "steps, log_every, checkpoint.every/keep ≥ 1 and batch_size ≥ 2 "
                    + "(a contrastive batch needs negatives)");
        }
        if (maxTokens < 2) {
            throw new BadInputException("max_tokens", "need room for a piece and </s>, got " + maxTokens);
        }
        if (!"gated-gelu".equals(model.feedForwardProj())) {
            throw new BadInputException("model.feed_forward_proj", "only \"gated-gelu\" (T5 v1.1, what T5Encoder runs) "
                    + "is implemented, got '" + model.feedForwardProj() + "'");
        }
        if (model.dModel() < 1 || model.dKv() < 1 || model.numHeads() < 1 || model.dFf() < 1 || model.numLayers() < 1
                || model.relativeAttentionNumBuckets() < 4 || model.relativeAttentionMaxDistance() < 1) {
            throw new BadInputException("model", "sizes must be positive and relative_attention_num_buckets ≥ 4");
        }
        if (data.shortRatio() < 0 || data.shortRatio() > 1) {
            throw new BadInputException("data.short_ratio", "expected a probability in [0, 1], got " + data.shortRatio());
        }
    }
}
