package studio.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import studio.core.config.Configs;
import studio.core.data.world.WorldGenerator;
import studio.diffusion.text.TokenizerTrainer;

/**
 * What the contrastive towers' tests ({@link ClipTrainerTest}, {@link T5TrainerTest}) share: a 4-image 32-px world
 * with its own tokenizers, the --set lines of a tiny run on it, and the whole-versus-resumed run pair.
 */
record ContrastiveFixture(Path world, Path tokenizers) {

    /** Generates the world (seed 5) and trains its tokenizers under {@code dir}. */
    static ContrastiveFixture create(Path dir) throws Exception {
        Path world = dir.resolve("world");
        WorldGenerator.generate(world, 5, 4, 32, 1);
        Path tokenizers = dir.resolve("tok");
        TokenizerTrainer.run(Configs.resolve(TokenizerTrainer.Config.preset(), null, List.of("output_dir=" + tokenizers,
                "world.seed=5", "world.count=4", "world.size=32", "world.threads=1"), TokenizerTrainer.Config.class, "test"));
        return new ContrastiveFixture(world, tokenizers);
    }

    /** The data, tokenizer, batch, logging and optimizer lines of a tiny run into {@code out}, then {@code more}. */
    List<String> sets(Path out, List<String> model, String... more) {
        List<String> all = new ArrayList<>(List.of("output_dir=" + out, "data.dir=" + world, "data.world.count=0",
                "data.resolution=32", "tokenizers=" + tokenizers, "batch_size=4", "log_every=1",
                "schedule.kind=constant", "schedule.warmup_steps=0", "optimizer.lr=3e-3", "optimizer.weight_decay=0"));
        all.addAll(model);
        all.addAll(List.of(more));
        return all;
    }

    /** One training call of a task: {@code run(out, resume, sets...)}. */
    @FunctionalInterface
    interface Trainer {
        void run(Path out, boolean resume, String... sets) throws Exception;
    }

    /**
     * Trains 4 steps of batch 2 in {@code dir/whole} at once, and in {@code dir/split} as 2 steps then a resume to 4;
     * asserts the logged losses agree exactly and returns {whole, split} for the caller's weight comparison.
     */
    static Path[] wholeAndResumed(Path dir, Trainer trainer) throws Exception {
        Path whole = dir.resolve("whole");
        trainer.run(whole, false, "steps=4", "checkpoint.every=2", "batch_size=2");
        Path split = dir.resolve("split");
        trainer.run(split, false, "steps=2", "checkpoint.every=2", "batch_size=2");
        trainer.run(split, true, "steps=4", "checkpoint.every=2", "batch_size=2");
        assertEquals(TinyRuns.losses(whole), TinyRuns.losses(split));
        return new Path[] {whole, split};
    }
}
