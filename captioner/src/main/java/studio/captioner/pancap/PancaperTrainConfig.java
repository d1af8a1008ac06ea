package studio.captioner.pancap;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import studio.core.config.Configs;

/**
 * A PanCaper training run, {@code studio train --config FILE.json [--set k=v]...} with {@code "task": "pancaper"}.
 * Every field and its default is in the preset {@code pancaper-train-defaults.json} next to this class; field
 * names are the JSON keys in snake_case. Loss weights and matcher costs are Mask2Former's
 * (configs/coco/panoptic-segmentation/maskformer2_R50_bs16_50ep.yaml).
 *
 * @param task "pancaper"
 * @param outputDir run folder: config.json, metrics.jsonl, checkpoints/, model/ (the final model folder)
 * @param seed initialisation and data order
 * @param steps optimizer updates
 * @param batchSize images per update
 * @param logEvery metrics.jsonl and progress every N updates
 * @param threads libtorch intra-op threads (0 = leave as is; 1 on a shared machine, where OpenMP spinning
 *        under oversubscription made steps 3-10× slower in our measurements)
 * @param maxMinutes wall-clock budget; when it runs out the run checkpoints and ends early (≤ 0: none)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PancaperTrainConfig(String task, String outputDir, long seed, int steps, int batchSize, int logEvery,
                                  int threads, double maxMinutes, World world, Heldout heldout, Model model, Optimizer optimizer,
                                  Loss loss, Checkpoint checkpoint) {
    public static final String TASK = "pancaper";

    /** Training images: world {@code seed}, indices 0 … count−1 drawn at random, at {@code size} px; vocabulary from the first {@code vocab_captions}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record World(long seed, int count, int size, int vocabCaptions, int vocabMinCount) {}

    /** The held-out split: another world seed; PQ on {@code count} of its images every {@code every} updates. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Heldout(long seed, int count, int every) {}

    /** Architecture (see {@link PancaperConfig}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Model(int queries, int width, int pixelDim, int stemChannels, int heads, int encoderLayers,
                        int decoderLayers, int captionLayers, int maxTokens) {}

    /** AdamW, global-norm clipping and the schedule (Mask2Former: AdamW 1e-4, wd 0.05, clip 0.01 full-model; here larger lr for a tiny model). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Optimizer(double lr, double beta1, double beta2, double eps, double weightDecay, double maxGradNorm,
                            String schedule, int warmupSteps) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Loss(double classWeight, double maskWeight, double diceWeight, double noObjectWeight,
                       double captionWeight, double pointerWeight, double semanticWeight, boolean auxLayers) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Checkpoint(int every, int keep) {}

    public static ObjectNode preset() {
        return Configs.resource(PancaperTrainConfig.class, "pancaper-train-defaults.json");
    }

    public static PancaperTrainConfig resolve(ObjectNode user, List<String> sets, String source) {
        return Configs.resolve(preset(), user, sets, PancaperTrainConfig.class, source);
    }
}
