package studio.diffusion.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import studio.core.BadInputException;
import studio.core.config.Configs;
import studio.diffusion.vae.VaeConfig;

/**
 * The "vae" task of {@code studio train} ({@link VaeTrainer}): an AutoencoderKL of the SD3 class trained from
 * scratch on world images. Every key and its default is in {@code vae-defaults.json} next to this class.
 *
 * @param steps optimizer updates
 * @param batchSize images per update
 * @param vae the architecture (diffusers AutoencoderKL config keys; scaling and shift are measured after training)
 * @param loss weights of the per-pixel L1 and L2 reconstruction terms and of the per-element KL to N(0, I)
 * @param samples every N updates, a PNG of {@code count} images above their reconstructions (0 = off)
 * @param statsImages images used to measure the latents' shift and scaling factor at the end
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VaeTrainConfig(String task, String outputDir, long seed, int steps, int batchSize, int logEvery, Arch vae,
                             Loss loss, Data data, TrainConfig.Optimizer optimizer, TrainConfig.Schedule schedule,
                             TrainConfig.Checkpoint checkpoint, Samples samples, int statsImages) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Arch(List<Integer> blockOutChannels, int layersPerBlock, int normNumGroups, int latentChannels,
                       boolean midBlockAddAttention) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Loss(double l1, double l2, double kl) {}

    /** A PanCap world folder (generated there first when absent and {@code world.count > 0}); images at {@code resolution}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Data(String dir, TrainConfig.World world, int resolution) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Samples(int every, int count) {}

    public static ObjectNode preset() {
        return Configs.resource(VaeTrainConfig.class, "vae-defaults.json");
    }

    /** The model's config before training (scale 1, shift 0: measured at the end). */
    public VaeConfig vaeConfig(double scaling, double shift) {
        return new VaeConfig(3, 3, vae.latentChannels(), vae.blockOutChannels(), vae.layersPerBlock(),
                vae.normNumGroups(), scaling, shift, vae.midBlockAddAttention());
    }

    public void check() {
        if (!"vae".equals(task)) {
            throw new BadInputException("task", "expected vae, got " + task);
        }
        if (steps < 1 || batchSize < 1 || logEvery < 1 || checkpoint.every() < 1 || checkpoint.keep() < 1) {
            throw new BadInputException("vae config", "steps, batch_size, log_every, checkpoint.every/keep must be ≥ 1");
        }
        int f = vaeConfig(1, 0).scaleFactor();
        if (data.resolution() % f != 0) {
            throw new BadInputException("data.resolution", data.resolution() + " is not a multiple of the VAE factor " + f);
        }
    }
}
