package studio.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rng state export, atomic checkpoints with keep-last-K, and the metrics log's resume truncation. */
class TrainUtilsTest {

    @Test
    void rngStateRestoresTheExactStream() {
        Rng r = new Rng(42);
        for (int i = 0; i < 17; i++) {
            r.nextGaussian();
        }
        long[] state = r.state();
        float[] a = r.gaussians(100);
        int[] pa = r.permutation(50);
        Rng back = Rng.restore(state);
        assertArrayEquals(a, back.gaussians(100), 0f);
        assertArrayEquals(pa, back.permutation(50));
        assertNotEquals(new Rng(1).nextLong(), new Rng(2).nextLong());
        double mean = 0;
        double sq = 0;
        Rng g = new Rng(7);
        for (int i = 0; i < 200_000; i++) {
            double x = g.nextGaussian();
            mean += x;
            sq += x * x;
        }
        assertEquals(0.0, mean / 200_000, 0.01);
        assertEquals(1.0, sq / 200_000, 0.01);
    }

    @Test
    void checkpointsAreAtomicAndPruned(@TempDir Path run) throws IOException {
        Checkpoints c = new Checkpoints(run, 2);
        for (long step : new long[] {10, 20, 30}) {
            c.save(step, dir -> Files.writeString(dir.resolve(Checkpoints.STATE_FILE), "{\"step\":" + step + "}"));
        }
        assertEquals(List.of(20L, 30L), c.list().stream().map(Checkpoints::step).toList());
        // A crash mid-write: the writer dies after a partial file, before state.json.
        assertThrows(IOException.class, () -> c.save(40, dir -> {
            Files.writeString(dir.resolve("weights.safetensors"), "half");
            throw new IOException("killed");
        }));
        assertEquals(30L, Checkpoints.step(c.latest().orElseThrow()));
        // A real kill leaves the temp folder behind (no catch runs): it is ignored, then cleaned.
        Path stale = Files.createDirectories(c.dir().resolve(".tmp-step-00000050-123"));
        Files.writeString(stale.resolve("weights.safetensors"), "half");
        assertEquals(30L, Checkpoints.step(c.latest().orElseThrow()));
        assertEquals(1, c.cleanTemps());
        assertFalse(Files.exists(stale));
        assertEquals("{\"step\":30}", Files.readString(c.latest().orElseThrow().resolve(Checkpoints.STATE_FILE)));
    }

    @Test
    void trainStateRoundTrips(@TempDir Path dir) throws IOException {
        Rng r = new Rng(-5);
        r.nextLong();
        TrainState s = new TrainState(12, 3, 4, Map.of("noise", r.state()), "{\"a\": 1}", Map.of("images", "96"));
        s.write(dir);
        TrainState back = TrainState.read(dir);
        assertEquals(12, back.step());
        assertEquals(3, back.epoch());
        assertEquals(4, back.batchInEpoch());
        assertArrayEquals(r.state(), back.rngs().get("noise"));
        assertEquals("96", back.extra().get("images"));
        assertTrue(back.config().contains("\"a\""));
    }

    @Test
    void metricsAfterTheResumedStepAreDropped(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file, Long.MAX_VALUE)) {
            for (int s = 1; s <= 5; s++) {
                log.append(Map.of("step", s, "loss", 1.0 / s));
            }
        }
        Files.writeString(file, Files.readString(file) + "{\"step\": 6, \"lo"); // a line cut by SIGKILL
        try (MetricsLog log = MetricsLog.open(file, 3)) {
            log.append(Map.of("step", 4, "loss", 0.0));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L), MetricsLog.read(file).stream().map(n -> n.get("step").asLong()).toList());
    }

    @Test
    void progressLineShowsEta() {
        String line = ConsoleProgress.line(new Progress.Step(50, 100, 0.25, 1e-4, 1.0, 2.0, 65));
        assertTrue(line.contains("50/100") && line.contains("ETA 0:01:05"), line);
    }

    /**
     * diffusers' EMAModel.step with its defaults: decay 0 at the first update, then min(decay, (1 + s) / (10 + s)).
     * The expected values are the recurrence written out in double; the decays are diffusers' get_decay values.
     */
    @Test
    void emaFollowsDiffusersDecaySchedule() {
        assertEquals(0.0, Ema.decayAt(0.999, 1));
        assertEquals(2.0 / 11.0, Ema.decayAt(0.999, 2), 1e-15);
        assertEquals(0.999, Ema.decayAt(0.999, 100_000));
        assertEquals(0.9, Ema.decayAt(0.9, 1000));
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            ai.djl.ndarray.NDArray p = m.create(new float[] {-7f, 3f});
            double[] expected = {-7, 3};
            try (Ema ema = new Ema(Map.of("w", p), 0.99)) {
                for (long n = 1; n <= 40; n++) {
                    p.set(new float[] {(float) n, (float) (2 * n)});
                    ema.update(n);
                    double d = Ema.decayAt(0.99, n);
                    expected[0] = d * expected[0] + (1 - d) * n;
                    expected[1] = d * expected[1] + (1 - d) * 2 * n;
                    if (n == 1) {
                        assertArrayEquals(new float[] {1f, 2f}, ema.averaged().get("w").toFloatArray(),
                                "the first update copies the weights: the initialisation leaves no trace");
                    }
                }
                float[] got = ema.averaged().get("w").toFloatArray();
                assertEquals(expected[0], got[0], 1e-4);
                assertEquals(expected[1], got[1], 1e-4);
            }
        }
    }
}
