package studio.diffusion.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.core.train.Progress;
import studio.diffusion.mmdit.MmditConfig;
import studio.diffusion.sampling.RectifiedFlow;

/**
 * The entry point of the "lora" and "full" tasks of {@code studio train}: resolves the encoders named in the
 * config for the model's shape and runs {@link DiffusionTrainer}: "pixel" ({@link PixelLatents}) or
 * "vae:&lt;folder&gt;" ({@link VaeLatents}), "hashed" ({@link HashedWords}) or "sd3:&lt;folder&gt;" ({@link Sd3Text}).
 */
public final class TrainTask {
    public static final List<String> TASKS = List.of("lora", "full");

    private TrainTask() {}

    /** Runs {@code c} in its output_dir (or continues it with {@code resume}); loaded encoders are freed after. */
    public static DiffusionTrainer.Result run(TrainConfig c, boolean resume, Progress progress, Consumer<String> log)
            throws IOException {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            return DiffusionTrainer.run(c, Path.of(c.outputDir()), resume, deps(c, log, owned), progress);
        } finally {
            for (AutoCloseable a : owned) {
                try {
                    a.close();
                } catch (Exception e) {
                    log.accept("closing " + a + ": " + e);
                }
            }
        }
    }

    /** As {@link #deps(TrainConfig, Consumer, List)}, for encoders that need no closing (pixel, hashed) or tests. */
    public static DiffusionTrainer.Deps deps(TrainConfig c, Consumer<String> log) throws IOException {
        return deps(c, log, new ArrayList<>());
    }

    /**
     * The encoders and validation renderer of {@code c}, shaped for its MMDiT. encoders.latent: {@code pixel} or
     * {@code vae:<diffusers vae/ folder>}; encoders.text: {@code hashed} or {@code sd3:<diffusers SD3 folder>}
     * (tokenizers + text encoders). Loaded models are added to {@code owned} for the caller to close.
     */
    public static DiffusionTrainer.Deps deps(TrainConfig c, Consumer<String> log, List<AutoCloseable> owned)
            throws IOException {
        MmditConfig m = mmditConfig(c.model());
        String latent = c.encoders().latent();
        LatentEncoder latents;
        LatentDecoder decoder;
        if (latent.equals("pixel")) {
            PixelLatents px = new PixelLatents(m.inChannels(), 8);
            latents = px;
            decoder = px;
        } else if (latent.startsWith("vae:")) {
            VaeLatents vae = VaeLatents.load(Path.of(latent.substring(4)));
            owned.add(vae);
            latents = vae;
            decoder = vae;
        } else {
            throw new BadInputException("encoders.latent", "unknown '" + latent + "'; expected pixel or vae:<folder>");
        }
        String textName = c.encoders().text();
        TextConditioner text;
        if (textName.equals("hashed")) {
            text = new HashedWords(c.encoders().textTokens(), m.jointAttentionDim(), m.pooledProjectionDim());
        } else if (textName.startsWith("sd3:")) {
            Sd3Text t = Sd3Text.load(Path.of(textName.substring(4)), Precision.parse(c.model().precision()),
                    c.encoders().textTokens());
            owned.add(t);
            text = t;
        } else {
            throw new BadInputException("encoders.text", "unknown '" + textName + "'; expected hashed or sd3:<folder>");
        }
        if (latents.channels() != m.inChannels()) {
            throw new BadInputException("encoders.latent", latent + " gives " + latents.channels()
                    + " channels, the MMDiT takes " + m.inChannels());
        }
        TrainConfig.Validation v = c.validation();
        ValidationRenderer renderer = v.every() <= 0 ? null : new EulerPreview(text, latents, decoder,
                new RectifiedFlow(c.flow().shift(), 1000), v.steps(), (float) v.guidance(), v.size());
        return new DiffusionTrainer.Deps(latents, text, renderer, log);
    }

    /** The MMDiT shape: from the checkpoint's config.json / tensors, or the preset for random weights. */
    public static MmditConfig mmditConfig(TrainConfig.Model model) throws IOException {
        if (model.path().isEmpty()) {
            return MmditConfig.preset(model.preset());
        }
        Path p = Path.of(model.path());
        try (SafeTensors st = SafeTensors.open(p)) {
            return MmditConfig.load(p.toFile().isDirectory() ? p : p.toAbsolutePath().getParent(), st);
        }
    }
}
