package studio.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static studio.diffusion.Fixtures.assertClose;
import static studio.diffusion.Fixtures.get;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.diffusion.Fixtures;
import studio.diffusion.lora.Lora;
import studio.diffusion.lora.LoraNames;
import studio.diffusion.mmdit.SD3Transformer;
import studio.diffusion.sampling.RectifiedFlow;
import studio.diffusion.sampling.RectifiedFlow.Weighting;

/** The SD3 LoRA training loss and its gradient w.r.t. the LoRA factors, against the reference (SD3.md §2.6). */
class MmditTrainLossTest {
    private static final RectifiedFlow FLOW = RectifiedFlow.SD3;

    @Test
    void timestepDensityAndWeightingMatchReference() throws Exception {
        try (SafeTensors f = Fixtures.open("sd3-tiny/train.safetensors")) {
            float[] n = f.readFloats("ts.n");
            float[] u0 = f.readFloats("ts.u0");
            long[] index = f.readLongs("ts.index");
            float[] table = FLOW.trainingSigmas();
            for (int i = 0; i < n.length; i++) {
                double u = RectifiedFlow.uLogitNormal(n[i], 0, 1);
                assertEquals(f.readFloats("ts.u_logit_normal")[i], u, 1e-6);
                assertEquals(f.readFloats("ts.u_mode")[i], RectifiedFlow.uMode(u0[i], 1.29), 1e-6);
                assertEquals(index[i], FLOW.index(u));
                float sigma = table[FLOW.index(u)];
                assertEquals(f.readFloats("ts.sigma")[i], sigma, 0f);
                assertEquals(f.readFloats("ts.w_sigma_sqrt")[i], RectifiedFlow.weight(Weighting.SIGMA_SQRT, sigma), 1e-5);
                assertEquals(f.readFloats("ts.w_cosmap")[i], RectifiedFlow.weight(Weighting.COSMAP, sigma), 1e-6);
            }
        }
    }

    @Test
    void lossAndLoraGradientsMatchReference() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); SafeTensors f = Fixtures.open("sd3-tiny/train.safetensors")) {
            SD3Transformer model = SD3Transformer.load(Fixtures.mmdit("sd3-tiny/transformer"), m, Precision.F32);
            Lora lora = Lora.read(f, new LoraNames(model.config(), model.linears().keySet()), m, true);
            for (Lora.Module mod : lora.modules()) {
                mod.a().setRequiresGradient(true);
                mod.b().setRequiresGradient(true);
            }
            lora.attach(model.linears(), "train", 1.0f);
            checkLoss(model, f, m, Weighting.SIGMA_SQRT, true, null);
            checkLoss(model, f, m, Weighting.COSMAP, false, null);
            checkLoss(model, f, m, Weighting.COSMAP, true, null);
            checkLoss(model, f, m, Weighting.LOGIT_NORMAL, true, lora);
        }
    }

    private static void checkLoss(SD3Transformer model, SafeTensors f, NDManager m, Weighting w, boolean pre, Lora grads) {
        long[] index = f.readLongs("index");
        float[] table = FLOW.trainingSigmas();
        float[] sig = new float[index.length];
        float[] t = new float[index.length];
        float[] wt = new float[index.length];
        for (int i = 0; i < index.length; i++) {
            sig[i] = table[(int) index[i]];
            t[i] = FLOW.timestep(sig[i]);
            wt[i] = (float) RectifiedFlow.weight(w, sig[i]);
        }
        NDArray x0 = get(f, "x0", m);
        NDArray eps = get(f, "noise", m);
        NDArray sigma = m.create(sig, new Shape(index.length, 1, 1, 1));
        NDArray weight = m.create(wt, new Shape(index.length, 1, 1, 1));
        String key = "loss." + w.name().toLowerCase(java.util.Locale.ROOT) + "." + (pre ? 1 : 0);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray xs = RectifiedFlow.noise(x0, eps, sigma);
            NDArray v = model.forward(xs, m.create(t), get(f, "context", m), get(f, "pooled", m));
            NDArray loss = RectifiedFlow.loss(v, x0, eps, xs, sigma, weight, pre);
            assertClose(key, loss, get(f, key, m), 1e-5);
            if (grads != null) {
                gc.backward(loss);
            }
        }
        if (grads == null) {
            return;
        }
        for (Lora.Module mod : grads.modules()) {
            String p = "grad.transformer." + mod.module();
            try (NDArray ga = mod.a().getGradient(); NDArray gb = mod.b().getGradient()) {
                assertClose(p + ".lora_A", ga, get(f, p + ".lora_A.weight", m), 1e-5);
                assertClose(p + ".lora_B", gb, get(f, p + ".lora_B.weight", m), 1e-5);
            }
        }
    }
}
