package studio.diffusion.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import studio.core.config.Configs;
import studio.core.train.AdamW;
import studio.core.train.Checkpoints;
import studio.core.train.LrSchedule;
import studio.core.train.Progress;
import studio.core.train.Rng;
import studio.core.train.StepLoop;
import studio.core.train.TrainState;
import studio.diffusion.vae.AutoencoderKL;

/**
 * Trains pancap-tiny's VAE (issue 6): an SD3-class AutoencoderKL from scratch on world images, the KL-regularised
 * autoencoder objective of Rombach et al. 2022 ("High-Resolution Image Synthesis with Latent Diffusion Models",
 * §3 and appendix G) without its perceptual and adversarial terms: l1·|x − x̂| + l2·(x − x̂)² per pixel plus
 * kl·KL(q(z|x) ‖ N(0, I)) per latent element, x̂ decoded from a reparameterised sample z = μ + σ·ε. The shared
 * {@link StepLoop} (AdamW, global-norm clipping, LR schedule, metrics.jsonl), atomic checkpoints (weights, moments,
 * noise RNG, data position) that resume exactly, reconstruction PNGs; at the end the latents' shift and scaling factor are measured
 * (SD3.md §3.2: z = (x − shift)·scale with unit variance) and {@code vae/} is written in the diffusers layout,
 * loadable by {@link AutoencoderKL#load}.
 */
public final class VaeTrainer {
    public static final String WEIGHTS = "diffusion_pytorch_model.safetensors";

    /** What a run produced: the final loss and the diffusers {@code vae/} folder. */
    public record Result(Path runDir, long steps, double lastLoss, Path vaeFolder, double scalingFactor, double shiftFactor) {}

    private final VaeTrainConfig c;
    private final Path runDir;
    private final Progress progress;
    private final Consumer<String> log;
    private final Checkpoints checkpoints;
    private final WorldImages images;
    private Rng noiseRng;
    private EpochOrder order;

    private VaeTrainer(VaeTrainConfig c, Progress progress, Consumer<String> log) throws IOException {
        this.c = c;
        this.runDir = Path.of(c.outputDir());
        this.progress = progress;
        this.log = log;
        this.checkpoints = new Checkpoints(runDir, c.checkpoint().keep());
        this.images = WorldImages.load(c.data(), log);
    }

    /** Trains {@code c} in its output_dir; with {@code resume}, continues from the newest checkpoint there. */
    public static Result run(VaeTrainConfig c, boolean resume, Progress progress, Consumer<String> log) throws IOException {
        c.check();
        return StepLoop.withTrainingModes(() -> new VaeTrainer(c, progress, log).train(resume));
    }

    private Result train(boolean resume) throws IOException {
        Files.createDirectories(runDir);
        long start = begin(checkpoints.begin(resume, log));
        Files.writeString(runDir.resolve("config.json"), Configs.toJson(c));
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) c.seed());
            Map<String, NDArray> params = new LinkedHashMap<>();
            AutoencoderKL vae = AutoencoderKL.of(new RecordingParams(new InitParams(manager, ""), params), c.vaeConfig(1, 0));
            params.values().forEach(p -> p.setRequiresGradient(true));
            try (AdamW opt = new AdamW(params, new AdamW.Hyper(c.optimizer().beta1(), c.optimizer().beta2(),
                    c.optimizer().eps(), c.optimizer().weightDecay()))) {
                if (start > 0) {
                    Checkpoints.restore(checkpoints.requireLatest(), WEIGHTS, params, opt);
                }
                LrSchedule schedule = new LrSchedule(LrSchedule.Kind.parse(c.schedule().kind()), c.optimizer().lr(),
                        c.schedule().warmupSteps(), c.steps());
                StepLoop loop = new StepLoop(new StepLoop.Plan(c.steps(), 1, c.optimizer().maxGradNorm(), c.logEvery(),
                        c.checkpoint().every(), 0, 0), checkpoints, runDir, progress, log);
                double last = loop.run(new Task(vae, params, opt, manager), params, opt, schedule, manager, start).lastLoss();
                double[] stats = VaeFolder.latentStats(vae, images, c.statsImages(), manager);
                Path folder = VaeFolder.write(runDir.resolve("vae"), c.vaeConfig(stats[0], stats[1]), params, c);
                log.accept(String.format("vae: scaling_factor %.4f, shift_factor %.4f -> %s", stats[0], stats[1], folder));
                return new Result(runDir, c.steps(), last, folder, stats[0], stats[1]);
            }
        }
    }

    /** The noise RNG and data position of a fresh run (null) or of the resumed checkpoint; returns its step. */
    private long begin(TrainState s) {
        noiseRng = s == null ? Rng.of(c.seed(), 1) : Rng.restore(s.rngs().get("noise"));
        order = s == null ? new EpochOrder(c.seed(), 0, 0) : new EpochOrder(c.seed(), s.epoch(), s.batchInEpoch());
        return s == null ? 0 : s.step();
    }

    /** The VAE's step for the shared loop: a batch of the epoch's permutation, sample PNGs at their cadence. */
    private final class Task implements StepLoop.Task {
        private final AutoencoderKL vae;
        private final Map<String, NDArray> params;
        private final AdamW opt;
        private final NDManager manager;

        Task(AutoencoderKL vae, Map<String, NDArray> params, AdamW opt, NDManager manager) {
            this.vae = vae;
            this.params = params;
            this.opt = opt;
            this.manager = manager;
        }

        @Override
        public StepLoop.Micro forwardBackward(long step, int micro, NDManager scope) {
            int[] idx = order.next(images.count(), Math.min(c.batchSize(), images.count()));
            return new StepLoop.Micro(microStep(vae, images.batch(scope, idx), scope), idx.length);
        }

        @Override
        public List<String> termNames() {
            return List.of("loss", "l1", "l2", "kl");
        }

        @Override
        public void addMetrics(Map<String, Object> r) {
            r.put("epoch", order.epoch());
        }

        @Override
        public Path checkpoint(long step) throws IOException {
            TrainState s = new TrainState(step, order.epoch(), order.batchInEpoch(), Map.of("noise", noiseRng.state()),
                    Configs.toJson(c), Map.of());
            return checkpoints.save(step, folder -> {
                VaeFolder.writeWeights(folder.resolve(WEIGHTS), params, c);
                Checkpoints.saveOptimizer(folder, opt);
                s.write(folder); // last: marks the checkpoint complete
            });
        }

        @Override
        public void afterStep(long done) throws IOException {
            if (c.samples().every() > 0 && (done % c.samples().every() == 0 || done == c.steps())) {
                VaeFolder.writeSamples(vae, images, c.samples().count(), runDir.resolve("samples")
                        .resolve(Checkpoints.name(done) + ".png"), manager);
            }
        }
    }

    /** Forward, loss, backward: returns {total, l1, l2, kl}. */
    private double[] microStep(AutoencoderKL vae, NDArray x, NDManager scope) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            int lc = vae.config().latentChannels();
            NDArray moments = vae.encodeMoments(x);
            NDArray mean = moments.get(":, 0:" + lc);
            NDArray logvar = moments.get(":, " + lc + ":").clip(-30.0, 20.0);
            NDArray eps = noiseRng.normal(scope, mean.getShape());
            NDArray z = mean.add(logvar.mul(scope.create(0.5f)).exp().mul(eps));
            NDArray diff = vae.decodeRaw(z).sub(x);
            NDArray l1 = diff.abs().mean();
            NDArray l2 = diff.square().mean();
            // KL(N(μ, σ²) ‖ N(0, 1)) = ½(μ² + σ² − 1 − log σ²), averaged over latent elements
            NDArray kl = mean.square().add(logvar.exp()).sub(scope.create(1f)).sub(logvar).mean().mul(scope.create(0.5f));
            NDArray total = l1.mul(scope.create((float) c.loss().l1())).add(l2.mul(scope.create((float) c.loss().l2())))
                    .add(kl.mul(scope.create((float) c.loss().kl())));
            double[] out = {total.getFloat(), l1.getFloat(), l2.getFloat(), kl.getFloat()};
            gc.backward(total);
            return out;
        }
    }
}
