package studio.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.config.Configs;
import studio.core.data.world.WorldGenerator;
import studio.core.train.MetricsLog;
import studio.core.train.Progress;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.core.weights.Weights;
import studio.diffusion.vae.AutoencoderKL;
import studio.diffusion.vae.LatentDistribution;

/** The "vae" task on a two-level 16-latent VAE (VaeConfig.tiny's shape) over 32-px world images. */
class VaeTrainerTest {
    @TempDir
    static Path dir;
    static Path world;

    @BeforeAll
    static void world() throws Exception {
        world = dir.resolve("world");
        WorldGenerator.generate(world, 3, 4, 32, 1);
    }

    private static VaeTrainConfig config(Path out, String... sets) {
        List<String> all = new ArrayList<>(List.of("output_dir=" + out, "data.dir=" + world, "data.world.count=0",
                "data.resolution=32", "vae.block_out_channels=[16, 32]", "vae.norm_num_groups=8", "batch_size=2",
                "log_every=1", "schedule.kind=constant", "schedule.warmup_steps=0", "optimizer.lr=2e-3",
                "samples.every=0", "stats_images=4"));
        all.addAll(List.of(sets));
        return Configs.resolve(VaeTrainConfig.preset(), null, all, VaeTrainConfig.class, "test");
    }

    private static List<Double> losses(Path run) throws Exception {
        List<Double> out = new ArrayList<>();
        for (JsonNode r : MetricsLog.read(run.resolve("metrics.jsonl"))) {
            out.add(r.get("loss").asDouble());
        }
        return out;
    }

    @Test
    void lossFallsAndTheFolderLoadsAsAnAutoencoderKL() throws Exception {
        Path run = dir.resolve("fall");
        VaeTrainer.Result r = VaeTrainer.run(config(run, "steps=20", "checkpoint.every=20", "samples.every=20"),
                false, Progress.NONE, s -> { });
        List<Double> l = losses(run);
        assertEquals(20, l.size());
        double first = (l.get(0) + l.get(1)) / 2;
        double last = (l.get(18) + l.get(19)) / 2;
        assertTrue(last < 0.7 * first, "loss " + first + " → " + last);
        assertTrue(Files.exists(run.resolve("samples/step-00000020.png")));
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.load(r.vaeFolder(), m);
            assertEquals(r.scalingFactor(), vae.config().scalingFactor(), 1e-9);
            assertEquals(2, vae.config().scaleFactor());
            NDArray x = WorldImages.load(config(run).data(), s -> { }).batch(m, new int[] {0, 1, 2, 3});
            try (LatentDistribution d = vae.encode(x); NDArray z = d.latents()) {
                double var = z.square().mean().getFloat() - Math.pow(z.mean().getFloat(), 2);
                assertEquals(1.0, var, 0.05, "normalised latents have unit variance on the stats images");
                assertEquals(0.0, z.mean().getFloat(), 0.05);
            }
        }
    }

    @Test
    void resumedRunRepeatsTheUninterruptedOneExactly() throws Exception {
        Path whole = dir.resolve("whole");
        VaeTrainer.run(config(whole, "steps=4", "checkpoint.every=2"), false, Progress.NONE, s -> { });
        Path split = dir.resolve("split");
        VaeTrainer.run(config(split, "steps=2", "checkpoint.every=2"), false, Progress.NONE, s -> { });
        VaeTrainer.run(config(split, "steps=4", "checkpoint.every=2"), true, Progress.NONE, s -> { });
        assertEquals(losses(whole), losses(split));
        try (SafeTensors a = SafeTensors.open(whole.resolve("vae/diffusion_pytorch_model.safetensors"));
             SafeTensors b = SafeTensors.open(split.resolve("vae/diffusion_pytorch_model.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            Weights wa = Weights.of(a, m, Precision.F32);
            Weights wb = Weights.of(b, m, Precision.F32);
            assertEquals(a.tensors().size(), b.tensors().size());
            for (var t : a.tensors()) {
                assertArrayEquals(wa.get(t.name(), t.shape()).toFloatArray(), wb.get(t.name(), t.shape()).toFloatArray(), t.name());
            }
        }
    }
}
