package studio.diffusion.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import studio.core.BadInputException;
import studio.core.config.Configs;

/**
 * A diffusion training run: {@code studio train --config FILE.json [--set k=v]...}. Every field and its
 * default is in the preset {@code train-defaults.json} (next to this class), which holds the diffusers
 * SD3 LoRA script's defaults (SD3.md §2.6, ANCHORS.md §1.1); user files override keys of it and an
 * unknown key is refused (STYLE.md lesson 10). Field names are the JSON keys in snake_case.
 *
 * @param task "lora" (LoRA on the MMDiT) or "full" (every MMDiT parameter: pretraining the tiny model)
 * @param outputDir the run folder: config.json, metrics.jsonl, checkpoints/, validation/, the final weights
 * @param seed the run seed: data order, timesteps, noise, caption choice, LoRA init
 * @param steps optimizer updates
 * @param maxMinutes wall-clock budget of one process in minutes (0 = none): when spent, the run stops after the
 *                   current update as if it were the last (checkpoint, eval loss, final weights; the LR schedule
 *                   still spans {@code steps}); {@code --resume} continues it with a fresh budget
 * @param batchSize images per micro-batch (per bucket)
 * @param gradAccum micro-batches per update
 * @param logEvery metrics.jsonl every N updates
 * @param evalEvery the stable evaluation loss (fixed images, noise and σ; SimpleTuner's "eval loss") every N
 *                  updates and at step 0, logged as {@code eval_loss}; 0 = off
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainConfig(String task, String outputDir, long seed, int steps, double maxMinutes, int batchSize, int gradAccum, int logEvery, int evalEvery,
                          Model model, Encoders encoders, Data data, LoraSpec lora, Optimizer optimizer,
                          Schedule schedule, Flow flow, EmaSpec ema, Checkpoint checkpoint, Validation validation) {

    /**
     * @param path a diffusers {@code transformer/} folder or safetensors file; empty → random weights of {@code preset}
     * @param preset MmditConfig preset for random weights (tiny, sd3-medium, ...)
     * @param precision compute precision of the base weights (f32, bf16, f16); LoRA and optimizer state stay fp32
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Model(String path, String preset, String precision, String device) {}

    /**
     * @param latent "pixel" ({@link PixelLatents}) or "vae:&lt;diffusers vae/ folder&gt;" ({@link VaeLatents})
     * @param text "hashed" ({@link HashedWords}) or "sd3:&lt;diffusers SD3 folder&gt;" ({@link Sd3Text}: CLIP-L/G + T5)
     * @param textTokens context length T of the conditioning (diffusers' SD3 trainer: 77 T5 tokens)
     * @param cacheDir latent / text-output cache folder shared across runs; empty → {@code <output_dir>/cache}
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Encoders(String latent, String text, int textTokens, String cacheDir) {}

    /**
     * @param dir any dataset TrainingSamples reads (PanCap world, COCO panoptic, imagefolder, kohya folder)
     * @param world when {@code world.count > 0} and {@code dir} does not exist yet, a PanCap world is generated there first
     * @param caption "long" (grounded caption, tags stripped), "short" (short_captions.jsonl) or "mix"
     * @param shortRatio in "mix", the probability of the short caption
     * @param captionDropout probability of the empty prompt (for classifier-free guidance)
     * @param resolution bucket area side in pixels (a multiple of 16)
     * @param buckets aspect-ratio bucketing on/off
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Data(String dir, World world, String caption, double shortRatio, double captionDropout, int resolution,
                       boolean buckets) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record World(int count, long seed, int size) {}

    /** diffusers: rank 4, alpha = rank, attention projections (Lora.DEFAULT_TARGETS); blocks empty = all. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LoraSpec(int rank, double alpha, List<String> targets, List<Integer> blocks, double dropout) {}

    /** AdamW; diffusers: lr 1e-4, betas (0.9, 0.999), eps 1e-8, weight decay 1e-4, max_grad_norm 1.0. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Optimizer(double lr, double beta1, double beta2, double eps, double weightDecay, double maxGradNorm) {}

    /** kind: constant, constant_with_warmup, cosine. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Schedule(String kind, int warmupSteps) {}

    /** weighting: diffusers' --weighting_scheme (density and loss weight); precondition_outputs: target x₀. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Flow(double shift, String weighting, double logitMean, double logitStd, double modeScale,
                       boolean preconditionOutputs) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record EmaSpec(boolean enabled, double decay) {}

    /** every N updates (and at the end); keep the newest K. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Checkpoint(int every, int keep) {}

    /** every N updates (0 = off): each prompt at each seed, Euler with CFG. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Validation(int every, List<String> prompts, List<Long> seeds, int steps, double guidance, int size) {}

    /** The preset: every field with the diffusers SD3 LoRA defaults. */
    public static ObjectNode preset() {
        return Configs.resource(TrainConfig.class, "train-defaults.json");
    }

    /** preset ← user file (may be null) ← --set overrides, checked. */
    public static TrainConfig resolve(Path file, List<String> sets) {
        TrainConfig c = Configs.resolve(preset(), file == null ? null : Configs.file(file), sets, TrainConfig.class,
                file == null ? "--set" : file.toString());
        c.check();
        return c;
    }

    /** Rejects values no run could use, naming the key. */
    public void check() {
        if (!task.equals("lora") && !task.equals("full")) {
            throw new BadInputException("task", "this trainer runs 'lora' or 'full', got '" + task + "'");
        }
        if (!(maxMinutes >= 0)) {
            throw new BadInputException("max_minutes", "must be ≥ 0 (0 = no budget), got " + maxMinutes);
        }
        if (steps < 1 || batchSize < 1 || gradAccum < 1 || logEvery < 1) {
            throw new BadInputException("steps/batch_size/grad_accum/log_every", "must be at least 1");
        }
        if (!List.of("long", "short", "mix").contains(data.caption)) {
            throw new BadInputException("data.caption", "expected long, short or mix, got '" + data.caption + "'");
        }
        if (data.captionDropout < 0 || data.captionDropout > 1 || data.shortRatio < 0 || data.shortRatio > 1) {
            throw new BadInputException("data.caption_dropout/short_ratio", "must be in [0, 1]");
        }
        if (checkpoint.every < 1 || checkpoint.keep < 1) {
            throw new BadInputException("checkpoint", "every and keep must be at least 1");
        }
        if (validation.every > 0 && (validation.prompts.isEmpty() || validation.seeds.isEmpty())) {
            throw new BadInputException("validation", "needs prompts and seeds when every > 0");
        }
    }
}
