package studio.diffusion.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.core.BadInputException;
import studio.core.config.Configs;
import studio.diffusion.text.ClipConfig;
import studio.diffusion.text.ClipTokenizer;
import studio.diffusion.text.ClipVisionConfig;

/**
 * The "clip" task of {@code studio train} ({@link ClipTrainer}): pancap-tiny's CLIP — one image tower and the
 * CLIP-L-class ({@code text}) and bigG-class ({@code text_2}) text towers, trained contrastively on world images and
 * captions. Every key and its default is in {@code clip-defaults.json} next to this class.
 *
 * @param tokenizers the folder holding {@code tokenizer/} and {@code tokenizer_2/} (the "tokenizers" task's output)
 * @param logitScaleInit initial log temperature, ln(1/0.07) as CLIP
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ClipTrainConfig(String task, String outputDir, long seed, int steps, int batchSize, int logEvery,
                              String tokenizers, Vision vision, Text text, @JsonProperty("text_2") Text text2, double logitScaleInit, Data data,
                              TrainConfig.Optimizer optimizer, TrainConfig.Schedule schedule,
                              TrainConfig.Checkpoint checkpoint) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Vision(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads, int patchSize,
                         int projectionDim) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Text(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads, String hiddenAct) {}

    /** A PanCap world (generated first when absent and count > 0); {@code short_ratio}: chance of the short caption. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Data(String dir, TrainConfig.World world, int resolution, double shortRatio) {}

    public static ObjectNode preset() {
        return Configs.resource(ClipTrainConfig.class, "clip-defaults.json");
    }

    public ClipVisionConfig visionConfig() {
        return new ClipVisionConfig(vision.hiddenSize(), vision.intermediateSize(), vision.numHiddenLayers(),
                vision.numAttentionHeads(), data.resolution(), vision.patchSize(), 3, ClipConfig.Activation.QUICK_GELU,
                1e-5, vision.projectionDim());
    }

    /** A text tower over {@code vocab} ids, projecting into the image tower's space; eos_token_id 2 = argmax pooling (EOS is the last id). */
    public ClipConfig textConfig(Text t, int vocab) {
        ClipConfig.Activation act = "gelu".equals(t.hiddenAct()) ? ClipConfig.Activation.GELU : ClipConfig.Activation.QUICK_GELU;
        return new ClipConfig(vocab, t.hiddenSize(), t.intermediateSize(), t.numHiddenLayers(), t.numAttentionHeads(),
                ClipTokenizer.LENGTH, act, 1e-5, vision.projectionDim(), 2);
    }

    public void check() {
        if (!"clip".equals(task)) {
            throw new BadInputException("task", "expected clip, got " + task);
        }
        if (steps < 1 || batchSize < 2 || logEvery < 1 || checkpoint.every() < 1 || checkpoint.keep() < 1) {
            throw new BadInputException("clip config", "steps, log_every, checkpoint.every/keep ≥ 1 and batch_size ≥ 2 "
                    + "(a contrastive batch needs negatives)");
        }
        for (Text t : new Text[] {text, text2}) {
            if (!"gelu".equals(t.hiddenAct()) && !"quick_gelu".equals(t.hiddenAct())) {
                throw new BadInputException("hidden_act", "expected gelu or quick_gelu, got " + t.hiddenAct());
            }
        }
        visionConfig();
    }
}
