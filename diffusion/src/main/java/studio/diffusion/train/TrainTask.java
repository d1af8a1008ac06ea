package studio.diffusion.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import studio.core.BadInputException;
import studio.core.safetensors.SafeTensors;
import studio.core.train.Progress;
import studio.diffusion.mmdit.MmditConfig;
import studio.diffusion.sampling.RectifiedFlow;

/**
 * The entry point of the "lora" and "full" tasks of {@code studio train}: resolves the encoders named in the
 * config for the model's shape and runs {@link DiffusionTrainer}. Encoders available now: "pixel"
 * ({@link PixelLatents}) and "hashed" ({@link HashedWords}); the SD3 VAE and text encoders are added here
 * when studio.diffusion.vae and studio.diffusion.text are in main.
 */
public final class TrainTask {
    public static final List<String> TASKS = List.of("lora", "full");

    private TrainTask() {}

    /** Runs {@code c} in its output_dir (or continues it with {@code resume}). */
    public static DiffusionTrainer.Result run(TrainConfig c, boolean resume, Progress progress, Consumer<String> log)
            throws IOException {
        return DiffusionTrainer.run(c, Path.of(c.outputDir()), resume, deps(c, log), progress);
    }

    /** The encoders and validation renderer of {@code c}, shaped for its MMDiT. */
    public static DiffusionTrainer.Deps deps(TrainConfig c, Consumer<String> log) throws IOException {
        MmditConfig m = mmditConfig(c.model());
        if (!c.encoders().latent().equals("pixel")) {
            throw new BadInputException("encoders.latent", "unknown '" + c.encoders().latent()
                    + "'; available: pixel (the SD3 VAE joins once studio.diffusion.vae is in main)");
        }
        if (!c.encoders().text().equals("hashed")) {
            throw new BadInputException("encoders.text", "unknown '" + c.encoders().text()
                    + "'; available: hashed (the SD3 text encoders join once studio.diffusion.text is in main)");
        }
        PixelLatents latents = new PixelLatents(m.inChannels(), 8);
        HashedWords text = new HashedWords(c.encoders().textTokens(), m.jointAttentionDim(), m.pooledProjectionDim());
        TrainConfig.Validation v = c.validation();
        ValidationRenderer renderer = v.every() <= 0 ? null : new EulerPreview(text, latents, latents,
                new RectifiedFlow(c.flow().shift(), 1000), v.steps(), (float) v.guidance(), v.size());
        return new DiffusionTrainer.Deps(latents, text, renderer, log);
    }

    /** The MMDiT shape: from the checkpoint's config.json / tensors, or the preset for random weights. */
    static MmditConfig mmditConfig(TrainConfig.Model model) throws IOException {
        if (model.path().isEmpty()) {
            return MmditConfig.preset(model.preset());
        }
        Path p = Path.of(model.path());
        try (SafeTensors st = SafeTensors.open(p)) {
            return MmditConfig.load(p.toFile().isDirectory() ? p : p.toAbsolutePath().getParent(), st);
        }
    }
}
