package studio.captioner.pancap;

import java.nio.file.Path;
import java.util.List;
import studio.core.config.Configs;

/** Tiny configs for fast tests: 32 px world, width 16, 4 queries, 64 caption tokens. */
final class TinyModels {
    private TinyModels() {}

    static PancaperTrainConfig trainConfig(Path out, int steps) {
        List<String> sets = List.of("output_dir=" + out, "steps=" + steps, "batch_size=2", "log_every=1",
                "world.size=32", "world.count=50", "world.vocab_captions=40", "heldout.count=2", "heldout.every=1000",
                "model.queries=8", "model.width=16", "model.pixel_dim=8", "model.stem_channels=8", "model.heads=2",
                "model.encoder_layers=1", "model.decoder_layers=2", "model.caption_layers=1", "model.max_tokens=64",
                "optimizer.warmup_steps=0", "optimizer.schedule=constant", "checkpoint.every=2", "checkpoint.keep=2");
        return PancaperTrainConfig.resolve(null, sets, "test");
    }

    static String json(PancaperTrainConfig c) {
        return Configs.toJson(c);
    }

}
