package studio.server;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.core.BadInputException;
import studio.core.device.Devices;
import studio.core.device.Precision;
import studio.core.ops.KernelBench;
import studio.diffusion.mmdit.DenoiserBench;

/**
 * {@code studio bench ...}: speed figures as JSON (ARCHITECTURE.md, "Performance: how it is measured").
 * Compare with the PyTorch eager scripts under {@code tools/reference/} run on the same machine.
 */
@Command(name = "bench", description = "Measure speed; prints JSON.",
        subcommands = {BenchCommand.Kernels.class, BenchCommand.Denoiser.class, BenchCommand.Train.class,
            BenchCommand.Features.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Each fused kernel against its plain composite twin (median ms, grad mode off). */
    @Command(name = "kernels", description = "Fused TorchScript kernels vs their plain DJL composites.")
    static final class Kernels implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--runs", defaultValue = "30", description = "timed runs per op (default ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--warmup", defaultValue = "20", description = "untimed runs first (default ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--no-large", description = "skip the SD3-sized attention (1x24x1178x64)")
        boolean noLarge;

        @Override
        public Integer call() throws Exception {
            if (runs < 1 || warmup < 0) {
                throw new BadInputException("--runs/--warmup", "need runs >= 1 and warmup >= 0");
            }
            CliJson.print(spec, KernelBench.run(Devices.parse(device, "--device"), runs, warmup, !noLarge));
            return Main.EXIT_OK;
        }
    }

    /** One MMDiT forward on random weights (no checkpoint): median ms, peak memory, GFLOP/s. */
    @Command(name = "denoiser", description = "MMDiT forward on random weights; compare tools/reference/bench_denoiser.py.")
    static final class Denoiser implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", defaultValue = "sd3-medium", description = "sd3-medium, sd3.5-medium, sd3.5-large, tiny")
        String config;

        @Option(names = "--res", defaultValue = "256", description = "image side in pixels (latent = res/8)")
        int res;

        @Option(names = "--batch", defaultValue = "1")
        int batch;

        @Option(names = "--tokens", defaultValue = "333", description = "context tokens (77 CLIP + 256 T5)")
        int tokens;

        @Option(names = "--device", defaultValue = "cpu")
        String device;

        @Option(names = "--dtype", defaultValue = "f32")
        String dtype;

        @Option(names = "--runs", defaultValue = "5")
        int runs;

        @Option(names = "--warmup", defaultValue = "1")
        int warmup;

        @Override
        public Integer call() throws Exception {
            if (runs < 1 || warmup < 0 || batch < 1 || tokens < 1) {
                throw new BadInputException("--runs/--warmup/--batch/--tokens", "need runs, batch, tokens >= 1 and warmup >= 0");
            }
            CliJson.print(spec, DenoiserBench.run(config, res, batch, tokens, Devices.parse(device, "--device"),
                    Precision.parse(dtype), runs, warmup));
            return Main.EXIT_OK;
        }
    }

    /** LoRA training steps on random weights: ms/step, images/s, peak RSS. */
    @Command(name = "train", description = "LoRA training steps on random weights; compare tools/reference/bench_train.py.")
    static final class Train implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", defaultValue = "tiny", description = "tiny, sd3-medium, sd3.5-medium, sd3.5-large")
        String config;

        @Option(names = "--res", defaultValue = "256", description = "image side in pixels (latent = res/8)")
        int res;

        @Option(names = "--batch", defaultValue = "1")
        int batch;

        @Option(names = "--tokens", defaultValue = "154", description = "context tokens (77 CLIP + 77 T5, diffusers' SD3 trainer)")
        int tokens;

        @Option(names = "--rank", defaultValue = "4")
        int rank;

        @Option(names = "--steps", defaultValue = "5", description = "timed steps")
        int steps;

        @Option(names = "--warmup", defaultValue = "2")
        int warmup;

        @Option(names = "--dtype", defaultValue = "f32")
        String dtype;

        @Override
        public Integer call() throws Exception {
            if (steps < 1 || warmup < 0 || batch < 1 || tokens < 1 || rank < 1 || res % 16 != 0) {
                throw new BadInputException("--steps/--warmup/--batch/--tokens/--rank/--res",
                        "need steps, batch, tokens, rank >= 1, warmup >= 0, res a multiple of 16");
            }
            CliJson.print(spec, studio.diffusion.train.TrainBench.run(config, res, batch, tokens, rank, steps, warmup,
                    Precision.parse(dtype)));
            return Main.EXIT_OK;
        }
    }

    /** Seconds per image of a feature extractor at its real size (random weights; tiny-clip its trained tower). */
    @Command(name = "features", description = "Time per image of eval fid's extractors (random weights of the real size).")
    static final class Features implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--features", defaultValue = "inception", description = "inception, dinov2, clip, tiny-clip")
        String features;

        @Option(names = "--weights", description = "tiny-clip's tower (default models/pancap-tiny/image_encoder)")
        java.nio.file.Path weights;

        @Option(names = "--images", defaultValue = "8", description = "timed images (default ${DEFAULT-VALUE})")
        int images;

        @Option(names = "--side", defaultValue = "512", description = "input image side (default ${DEFAULT-VALUE})")
        int side;

        @Option(names = "--batch", defaultValue = "8")
        int batch;

        @Override
        public Integer call() throws Exception {
            if (images < 1 || side < 16 || batch < 1) {
                throw new BadInputException("--images/--side/--batch", "need images, batch >= 1 and side >= 16");
            }
            CliJson.print(spec, studio.eval.features.FeatureBench.run(features, weights, images, side, batch));
            return Main.EXIT_OK;
        }
    }
}
