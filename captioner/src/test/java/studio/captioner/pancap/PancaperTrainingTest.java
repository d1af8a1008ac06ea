package studio.captioner.pancap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.world.WorldGenerator;
import studio.core.data.world.WorldSample;
import studio.core.train.MetricsLog;
import studio.core.train.Progress;

class PancaperTrainingTest {
    @TempDir
    Path tmp;

    @Test
    void lossFallsOnAFixedBatch() throws Exception {
        PancaperTrainConfig c = TinyModels.trainConfig(tmp, 40);
        try (PancaperTrainer t = PancaperTrainer.create(c, TinyModels.json(c), null)) {
            List<WorldSample> samples = List.of(WorldGenerator.sample(0, 3, 32), WorldGenerator.sample(0, 4, 32));
            double first = Double.NaN;
            double last = Double.NaN;
            for (int i = 0; i < 40; i++) {
                last = t.fixedBatchStep(samples, 3e-3);
                first = i == 0 ? last : first;
            }
            assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
        }
    }

    @Test
    void trainingStepsDoNotLeakArrays() throws Exception {
        PancaperTrainConfig c = TinyModels.trainConfig(tmp, 10);
        try (PancaperTrainer t = PancaperTrainer.create(c, TinyModels.json(c), null)) {
            t.trainStep(1e-3);
            t.trainStep(1e-3);
            int after2 = resources(t.manager());
            for (int i = 0; i < 4; i++) {
                t.trainStep(1e-3);
            }
            t.heldoutPq();
            assertEquals(after2, resources(t.manager()));
        }
    }

    @Test
    void resumeContinuesFromTheCheckpointAndWritesTheModel() throws Exception {
        PancaperTrainConfig c = TinyModels.trainConfig(tmp.resolve("run"), 4);
        PrintWriter log = new PrintWriter(new StringWriter());
        PancaperTrainer.Result r = PancaperTrainer.run(c, TinyModels.json(c), null, Progress.NONE, log);
        assertEquals(4, r.steps());
        assertTrue(Files.isRegularFile(r.modelDir().resolve(PanCaper.WEIGHTS)));
        PancaperTrainConfig longer = TinyModels.trainConfig(tmp.resolve("run"), 6);
        PancaperTrainer.Result r2 = PancaperTrainer.run(longer, TinyModels.json(longer), tmp.resolve("run"), Progress.NONE, log);
        assertEquals(6, r2.steps());
        List<Long> steps = MetricsLog.read(tmp.resolve("run/metrics.jsonl")).stream().map(n -> n.get("step").asLong()).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps);
    }

    @Test
    void matcherAssignsEachSegmentTheQueryThatFitsIt() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 3 queries, 2 segments over 4 pixels; query 2 predicts segment 0 (class 1), query 0 segment 1 (class 0)
            NDArray masks = m.create(new float[] {1, 1, 0, 0, 0, 0, 1, 1}, new Shape(1, 2, 4));
            NDArray classes = m.create(new float[] {0, 1, 0, 1, 0, 0}, new Shape(1, 2, 3));
            NDArray maskLogits = m.create(new float[] {-9, -9, 9, 9, 0, 0, 0, 0, 9, 9, -9, -9}, new Shape(1, 3, 4));
            NDArray classLogits = m.create(new float[] {5, 0, 0, 0, 0, 5, 0, 5, 0}, new Shape(1, 3, 3));
            NDArray select = new HungarianMatcher(2, 5, 5).match(classLogits, maskLogits, masks, classes, new int[] {2});
            assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, select.toFloatArray());
        }
    }

    @Test
    void panopticInferenceKeepsConfidentQueriesAndMergesStuff() {
        boolean[] isThing = {true, false};
        float[][] probs = {{0.95f, 0.03f, 0.02f}, {0.02f, 0.95f, 0.03f}, {0.02f, 0.9f, 0.08f}, {0.1f, 0.1f, 0.8f}};
        float[][] masks = {{0.9f, 0.1f, 0.1f, 0.1f}, {0.1f, 0.9f, 0.1f, 0.1f}, {0.1f, 0.1f, 0.9f, 0.9f}, {0.9f, 0.9f, 0.9f, 0.9f}};
        PanopticInference.Result r = PanopticInference.run(probs, masks, isThing, 0.8, 0.8);
        assertEquals(2, r.segments().size()); // one merged stuff segment (queries 1, 2), one thing; query 3 is no-object
        assertEquals(List.of(1, 2), r.segments().get(0).queries());
        assertArrayEquals(new int[] {2, 1, 1, 1}, r.ids()); // stuff numbered first
    }

    static int resources(NDManager manager) throws Exception {
        Field f = BaseNDManager.class.getDeclaredField("resources");
        f.setAccessible(true);
        return ((Map<?, ?>) f.get(manager)).size();
    }

}
