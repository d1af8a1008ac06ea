package studio.diffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static studio.diffusion.Fixtures.assertClose;
import static studio.diffusion.Fixtures.get;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.diffusion.Fixtures;
import studio.diffusion.mmdit.SD3Transformer;

/** Schedule, CFG step and samplers against tools/reference/sd3_reference.py (sd3-tiny, sd35m-tiny). */
class MmditSamplingTest {
    private static final RectifiedFlow FLOW = RectifiedFlow.SD3;

    @Test
    void sigmasMatchSd3MdTestVectorsAndReference() {
        // SD3.md §2.2 test vector
        assertArrayEquals(new float[] {1.0f, 0.857692f, 0.602151f, 0.008929f, 0f}, FLOW.sigmas(4), 1e-6f);
        assertEquals(0.764677f, FLOW.sigmas(28)[13], 1e-6f);
        assertEquals(0.0029940f, FLOW.trainingSigmas()[999], 1e-7f);
        try (SafeTensors f = Fixtures.open("sd3-tiny/sampling.safetensors")) {
            assertArrayEquals(f.readFloats("sigmas.4"), FLOW.sigmas(4), 1e-7f);
            assertArrayEquals(f.readFloats("sigmas.28"), FLOW.sigmas(28), 1e-7f);
            assertArrayEquals(f.readFloats("sigmas.train"), FLOW.trainingSigmas(), 0f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void cfgStepAndSamplersMatchReference() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); SafeTensors f = Fixtures.open("sd3-tiny/sampling.safetensors")) {
            SD3Transformer model = SD3Transformer.load(Fixtures.mmdit("sd3-tiny/transformer"), m, Precision.F32);
            NDArray noise = get(f, "noise", m);
            NDArray ctx = get(f, "context", m);
            NDArray pooled = get(f, "pooled", m);
            float[] sig4 = FLOW.sigmas(4);
            Samplers.Denoiser cfg = Guidance.cfg(model, ctx, pooled, 5.0f, null, 4);
            assertClose("cfg step velocity", cfg.velocity(noise, sig4[0], 0), get(f, "cfg_step.v", m), 1e-4);
            check("euler", Samplers::euler, model, ctx, pooled, noise, 4, f, m);
            check("heun", Samplers::heun, model, ctx, pooled, noise, 3, f, m);
            check("dpmpp_2m", Samplers::dpmpp2m, model, ctx, pooled, noise, 4, f, m);
        }
    }

    private static void check(String name, Samplers.Sampler sampler, SD3Transformer model, NDArray ctx,
                              NDArray pooled, NDArray noise, int steps, SafeTensors f, NDManager m) {
        float[] sigmas = FLOW.sigmas(steps);
        List<NDArray> traj = new ArrayList<>();
        NDArray out = sampler.sample(Guidance.cfg(model, ctx, pooled, 5.0f, null, steps), noise, sigmas,
                s -> {
                    NDArray copy = s.x().duplicate(); // the step's arrays close with its scope
                    copy.attach(m);
                    traj.add(copy);
                });
        assertClose(name + " " + steps + " steps trajectory", NDArrays.stack(new NDList(traj)), get(f, name + ".traj", m), 1e-4);
        assertClose(name + " " + steps + " steps result", out, get(f, name + ".out", m), 1e-4);
    }

    @Test
    void skipLayerGuidanceMatchesReference() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); SafeTensors f = Fixtures.open("sd35m-tiny/slg.safetensors")) {
            SD3Transformer model = SD3Transformer.load(Fixtures.mmdit("sd35m-tiny/transformer"), m, Precision.F32);
            Guidance.SkipLayer slg = new Guidance.SkipLayer(Set.of(1), 2.8f, 0.1f, 0.6f);
            Samplers.Denoiser d = Guidance.cfg(model, get(f, "context", m), get(f, "pooled", m), 4.5f, slg, 4);
            NDArray out = Samplers.euler(d, get(f, "noise", m), FLOW.sigmas(4), Samplers.StepCallback.NONE);
            assertClose("euler + cfg + skip-layer guidance", out, get(f, "euler.out", m), 1e-4);
            NDArray plain = Samplers.euler(Guidance.cfg(model, get(f, "context", m), get(f, "pooled", m), 4.5f, null, 4),
                    get(f, "noise", m), FLOW.sigmas(4), Samplers.StepCallback.NONE);
            org.junit.jupiter.api.Assertions.assertTrue(Fixtures.maxAbsDiff(plain, out) > 1e-2, "SLG must change the result");
        }
    }

    /** BaseNDManager keeps attached arrays and sub-managers in a protected map; count it (as KernelLeakTest does). */
    private static int attached(NDManager manager) throws ReflectiveOperationException {
        java.lang.reflect.Field f = ai.djl.ndarray.BaseNDManager.class.getDeclaredField("resources");
        f.setAccessible(true);
        return ((java.util.Map<?, ?>) f.get(manager)).size();
    }

    @Test
    void samplersLeaveOnlyTheirResultBehind() throws Exception {
        try (NDManager weights = NDManager.newBaseManager(); SafeTensors f = Fixtures.open("sd3-tiny/sampling.safetensors")) {
            SD3Transformer model = SD3Transformer.load(Fixtures.mmdit("sd3-tiny/transformer"), weights, Precision.F32);
            int modelArrays = attached(weights);
            try (NDManager m = weights.newSubManager()) {
                NDArray ctx = get(f, "context", m);
                NDArray pooled = get(f, "pooled", m);
                NDArray noise = get(f, "noise", m);
                for (Samplers.Sampler s : new Samplers.Sampler[] {Samplers::euler, Samplers::heun, Samplers::dpmpp2m}) {
                    Samplers.Denoiser d = Guidance.cfg(model, ctx, pooled, 5f, null, 6);
                    int before = attached(m);
                    NDArray out = s.sample(d, noise, FLOW.sigmas(6), Samplers.StepCallback.NONE);
                    assertEquals(before + 1, attached(m), "only the result may stay in the caller's manager");
                    out.close();
                }
            }
            // + 1: the position-table crop PatchEmbed caches for this latent size
            assertEquals(modelArrays + 1, attached(weights), "arrays left in the weights' manager");
        }
    }
}
