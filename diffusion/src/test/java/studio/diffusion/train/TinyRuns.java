package studio.diffusion.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import studio.core.data.world.WorldGenerator;
import studio.core.train.Progress;

/** Tiny training runs for tests: MmditConfig.tiny() with random weights, 32-pixel worlds, pixel latents, hashed words. */
final class TinyRuns {
    private TinyRuns() {}

    /** A PanCap world of {@code count} 32-pixel images (generated once per folder). */
    static Path world(Path dir, int count) throws IOException {
        Path w = dir.resolve("world");
        if (!Files.exists(w)) {
            WorldGenerator.generate(w, 7, count, 32, 1);
        }
        return w;
    }

    /** The tiny config with {@code extra} --set overrides. */
    static TrainConfig config(Path data, Path out, String... extra) {
        List<String> sets = new ArrayList<>(List.of("task=lora", "output_dir=" + out, "data.dir=" + data,
                "data.resolution=32", "model.preset=tiny", "encoders.text_tokens=8", "steps=8", "batch_size=2",
                "optimizer.lr=0.001", "checkpoint.every=4", "checkpoint.keep=2", "validation.every=0"));
        sets.addAll(List.of(extra));
        return TrainConfig.resolve(null, sets);
    }

    static DiffusionTrainer.Result run(TrainConfig c, boolean resume, ValidationRenderer renderer, Progress p)
            throws IOException {
        DiffusionTrainer.Deps d = TrainTask.deps(c, s -> { });
        DiffusionTrainer.Deps deps = new DiffusionTrainer.Deps(d.latents(), d.text(), renderer != null ? renderer : d.validation(),
                s -> System.out.println("[train] " + s));
        return DiffusionTrainer.run(c, Path.of(c.outputDir()), resume, deps, p);
    }

    static DiffusionTrainer.Result run(TrainConfig c, boolean resume) throws IOException {
        return run(c, resume, null, Progress.NONE);
    }

    /** The loss column of metrics.jsonl, in step order. */
    static List<Double> losses(Path runDir) throws IOException {
        return column(runDir, "loss");
    }

    /** A column of metrics.jsonl, over the records that have it. */
    static List<Double> column(Path runDir, String name) throws IOException {
        return studio.core.train.MetricsLog.read(runDir.resolve("metrics.jsonl")).stream()
                .filter(n -> n.has(name)).map(n -> n.get(name).asDouble()).toList();
    }
}
