package studio.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared step loop on a one-parameter problem, loss (w − target)² with a different target per micro-batch:
 * accumulation, cadences, the non-finite stop, the time budget and the stop on request.
 */
class StepLoopTest {

    /**
     * Micro-batch m of every step pulls w towards m + 1; {@code nanAt} (1-based) makes that step's loss NaN, a negative
     * {@code nanAt} makes the gradient norm NaN (loss 0) from step −nanAt on.
     */
    private static final class Quadratic implements StepLoop.Task {
        final NDArray w;
        final Checkpoints checkpoints;
        final long nanAt;
        final List<Long> saved = new ArrayList<>();

        Quadratic(NDArray w, Checkpoints checkpoints, long nanAt) {
            this.w = w;
            this.checkpoints = checkpoints;
            this.nanAt = nanAt;
        }

        @Override
        public StepLoop.Micro forwardBackward(long step, int micro, NDManager scope) {
            float target = step + 1 == nanAt ? Float.NaN : micro + 1;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // √|w − w| is 0 with a NaN gradient (0·∞): a finite loss whose update must not be applied
                NDArray loss = nanAt < 0 && step + 1 >= -nanAt ? w.sub(w).abs().sqrt().sum()
                        : w.sub(scope.create(target)).square().sum();
                double value = loss.getFloat();
                gc.backward(loss);
                return new StepLoop.Micro(new double[] {value, target}, 3);
            }
        }

        @Override
        public List<String> termNames() {
            return List.of("loss", "target");
        }

        @Override
        public Path checkpoint(long step) throws IOException {
            saved.add(step);
            return checkpoints.save(step, dir -> Files.writeString(dir.resolve(Checkpoints.STATE_FILE), "{}"));
        }

        @Override
        public void addMetrics(Map<String, Object> r) {
            r.put("w", (double) w.getFloat());
        }
    }

    private static StepLoop.Outcome run(Path dir, StepLoop.Plan plan, Progress progress, long nanAt, List<Long> saved)
            throws IOException {
        return StepLoop.withTrainingModes(() -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray w = manager.zeros(new Shape(1), DataType.FLOAT32);
                w.setRequiresGradient(true);
                Map<String, NDArray> params = Map.of("w", w);
                Checkpoints checkpoints = new Checkpoints(dir, 100);
                Quadratic task = new Quadratic(w, checkpoints, nanAt);
                try (AdamW opt = new AdamW(params, new AdamW.Hyper(0.9, 0.999, 1e-8, 0))) {
                    try {
                        return new StepLoop(plan, checkpoints, dir, progress, s -> { })
                                .run(task, params, opt, new LrSchedule(LrSchedule.Kind.CONSTANT, 0.1, 0, (int) plan.steps()),
                                        manager, 0);
                    } finally {
                        saved.addAll(task.saved);
                    }
                }
            }
        });
    }

    @Test
    void accumulatesMicroBatchesAndKeepsTheCadences(@TempDir Path dir) throws IOException {
        List<Progress.Step> steps = new ArrayList<>();
        List<Long> saved = new ArrayList<>();
        StepLoop.Outcome out = run(dir, new StepLoop.Plan(5, 2, 0, 2, 2, 0, 0), steps::add, 0, saved);
        assertEquals(5, out.steps());
        assertEquals(List.of(2L, 4L, 5L), saved);
        assertEquals(5, steps.size());
        List<JsonNode> metrics = MetricsLog.read(dir.resolve("metrics.jsonl"));
        assertEquals(List.of(2L, 4L, 5L), metrics.stream().map(r -> r.get("step").asLong()).toList());
        // the two micro-batches' targets 1 and 2 are averaged; their summed gradients pull w to 1.5
        assertEquals(1.5, metrics.get(0).get("target").asDouble(), 0);
        assertTrue(metrics.get(0).get("images_per_s").asDouble() > 0);
        double w = metrics.get(2).get("w").asDouble();
        assertTrue(w > 0.3 && w < 1.5, "w moved towards 1.5: " + w);
        assertEquals(out.lastLoss(), metrics.get(2).get("loss").asDouble(), 0);
        assertTrue(steps.get(4).loss() < steps.get(0).loss(), "loss falls");
    }

    @Test
    void nonFiniteLossStopsWithoutSaving(@TempDir Path dir) {
        List<Long> saved = new ArrayList<>();
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> run(dir, new StepLoop.Plan(10, 1, 1.0, 1, 2, 0, 0), Progress.NONE, 3, saved));
        assertEquals(3, e.step());
        assertEquals(List.of(2L), saved);
        assertTrue(e.getMessage().contains("step-00000002"), e.getMessage());
    }

    @Test
    void timeBudgetEndsAfterOneStepWithItsCheckpointAndRecord(@TempDir Path dir) throws IOException {
        List<Long> saved = new ArrayList<>();
        StepLoop.Outcome out = run(dir, new StepLoop.Plan(100, 1, 1.0, 50, 50, 1e-9, 0), Progress.NONE, 0, saved);
        assertEquals(1, out.steps());
        assertEquals(List.of(1L), saved);
        assertEquals(List.of(1L), MetricsLog.read(dir.resolve("metrics.jsonl")).stream()
                .map(r -> r.get("step").asLong()).toList());
    }

    @Test
    void stopRequestCheckpointsTheCurrentStep(@TempDir Path dir) {
        List<Long> saved = new ArrayList<>();
        Progress stopAfter3 = new Progress() {
            long last;

            @Override
            public void onStep(Step s) {
                last = s.step();
            }

            @Override
            public boolean stopRequested() {
                return last == 3;
            }
        };
        TrainingStoppedException e = assertThrows(TrainingStoppedException.class,
                () -> run(dir, new StepLoop.Plan(10, 1, 1.0, 1, 2, 0, 0), stopAfter3, 0, saved));
        assertEquals(3, e.step());
        assertEquals(List.of(2L, 3L), saved);
        assertEquals(Checkpoints.name(3), e.checkpoint().getFileName().toString());
    }

    @Test
    void nonFiniteGradientsAreSkippedUpToTheLimitThenStopTheRun(@TempDir Path dir) throws IOException {
        List<Long> saved = new ArrayList<>();
        // steps 3, 4 skipped (w unchanged, counted), step 5 the third in a row: the run stops
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> run(dir, new StepLoop.Plan(10, 1, 1.0, 1, 100, 0, 2), Progress.NONE, -3, saved));
        assertEquals(5, e.step());
        assertTrue(e.getMessage().contains("gradient norm"), e.getMessage());
        List<JsonNode> metrics = MetricsLog.read(dir.resolve("metrics.jsonl"));
        assertEquals(List.of(0L, 0L, 1L, 2L), metrics.stream().map(r -> r.get("skipped_updates").asLong()).toList());
        assertEquals(metrics.get(1).get("w").asDouble(), metrics.get(3).get("w").asDouble(), 0, "skipped updates leave w");
        assertTrue(Double.isNaN(metrics.get(2).get("grad_norm").asDouble()));
        assertEquals(List.of(), saved);
    }
}
