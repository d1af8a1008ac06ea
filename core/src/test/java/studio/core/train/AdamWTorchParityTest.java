package studio.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;

/**
 * AdamW, clip_grad_norm_ and the cosine schedule against PyTorch 1.13 (fixture written by
 * tools/reference/make_train_fixtures.py; CI never runs Python).
 */
class AdamWTorchParityTest {
    /** Relative error allowed: libtorch 2.7 (here) and torch 1.13 (fixture) may fuse a multiply-add differently (1 ulp). */
    private static final double REL = 2e-6;

    static Path fixture() throws Exception {
        return Path.of(AdamWTorchParityTest.class.getResource("/train/torch_optim.safetensors").toURI());
    }

    @Test
    void adamwWithClippingAndCosineScheduleEqualsTorch() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); SafeTensors f = SafeTensors.open(fixture())) {
            double[] lrs = new ObjectMapper().readValue(f.metadata().get("lr"), double[].class);
            LrSchedule schedule = new LrSchedule(LrSchedule.Kind.COSINE, 1e-3, 2, 6);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("p0", m.create(f.readFloats("init.p0"), new Shape(3, 4)));
            params.put("p1", m.create(f.readFloats("init.p1"), new Shape(5)));
            double worst = 0;
            try (AdamW opt = new AdamW(params, new AdamW.Hyper(0.9, 0.999, 1e-8, 1e-2))) {
                for (int k = 0; k < 6; k++) {
                    assertEquals(lrs[k], schedule.lr(k), 1e-15, "lr at step " + k);
                    try (NDManager step = m.newSubManager()) {
                        Map<String, NDArray> grads = new LinkedHashMap<>();
                        grads.put("p0", step.create(f.readFloats("grad." + k + ".p0"), new Shape(3, 4)));
                        grads.put("p1", step.create(f.readFloats("grad." + k + ".p1"), new Shape(5)));
                        float norm = Grads.clipGlobalNorm(grads.values(), 1.0);
                        assertEquals(f.readFloats("total_norm")[k], norm, 1e-6 * norm, "total norm at step " + k);
                        opt.step(grads, schedule.lr(k));
                    }
                    for (String p : params.keySet()) {
                        worst = Math.max(worst, maxRelError(params.get(p).toFloatArray(), f.readFloats("after." + k + "." + p)));
                    }
                }
                assertEquals(6, opt.steps());
            }
            System.out.printf("AdamW vs torch.optim.AdamW (6 steps, clipped, cosine lr): max relative error %.3g%n", worst);
            assertTrue(worst < REL, "max relative error " + worst);
        }
    }

    @Test
    void cosineScheduleEqualsDiffusers() throws Exception {
        try (SafeTensors f = SafeTensors.open(fixture())) {
            double[] expected = new ObjectMapper().readValue(f.metadata().get("cosine_10_100"), double[].class);
            LrSchedule s = new LrSchedule(LrSchedule.Kind.COSINE, 1.0, 10, 100);
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], s.factor(k), 1e-15, "factor at step " + k);
            }
            assertEquals(0.0, s.factor(100));
            assertEquals(0.5, new LrSchedule(LrSchedule.Kind.CONSTANT_WITH_WARMUP, 1.0, 4, 10).factor(2));
        }
    }

    @Test
    void stateRoundTripsThroughSafetensors(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = Map.of("w", m.create(new float[] {1, 2, 3}));
            Map<String, NDArray> b = Map.of("w", m.create(new float[] {1, 2, 3}));
            AdamW.Hyper h = new AdamW.Hyper(0.9, 0.999, 1e-8, 0.0);
            try (AdamW first = new AdamW(a, h); AdamW second = new AdamW(b, h)) {
                for (int k = 0; k < 3; k++) {
                    first.step(Map.of("w", m.create(new float[] {0.5f, -1f, k})), 1e-2);
                }
                SafeTensorsWriter w = new SafeTensorsWriter();
                first.save(w);
                w.write(dir.resolve("opt.safetensors"));
                try (SafeTensors st = SafeTensors.open(dir.resolve("opt.safetensors"))) {
                    second.load(st);
                }
                a.get("w").toFloatArray().clone();
                b.get("w").set(a.get("w").toFloatArray());
                first.step(Map.of("w", m.create(new float[] {2f, 2f, 2f})), 1e-2);
                second.step(Map.of("w", m.create(new float[] {2f, 2f, 2f})), 1e-2);
                assertEquals(4, second.steps());
                assertArrayEquals(a.get("w").toFloatArray(), b.get("w").toFloatArray(), 0f);
            }
        }
    }

    static double maxRelError(float[] got, float[] want) {
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1e-6, Math.abs(want[i])));
        }
        return worst;
    }
}
