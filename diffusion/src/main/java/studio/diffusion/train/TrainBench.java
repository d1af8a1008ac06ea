package studio.diffusion.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.core.device.Precision;
import studio.core.device.Torch;
import studio.core.train.AdamW;
import studio.core.train.Grads;
import studio.core.train.Memory;
import studio.core.train.Rng;
import studio.diffusion.lora.Lora;
import studio.diffusion.mmdit.MmditConfig;
import studio.diffusion.mmdit.SD3Transformer;
import studio.diffusion.sampling.RectifiedFlow;

/**
 * {@code studio bench train}: LoRA training steps of the MMDiT on random weights (no checkpoint), the same step
 * as {@link DiffusionTrainer} — logit-normal σ, x_σ, forward, precondition_outputs loss, backward, global-norm
 * clip 1.0, AdamW, zeroing — with inputs of the given size (latents res/8, {@code tokens} context tokens).
 * Compare with tools/reference/bench_train.py (PyTorch eager) on the same machine.
 */
public final class TrainBench {
    private TrainBench() {}

    public static Map<String, Object> run(String preset, int res, int batch, int tokens, int rank, int steps, int warmup,
                                          Precision precision) {
        MmditConfig cfg = MmditConfig.preset(preset);
        boolean gradMode = Grads.gradMode(false);
        Grads.graphOptimizer(false);
        List<Double> ms = new ArrayList<>();
        double rssBefore = Memory.rssMb();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(0);
            SD3Transformer model = SD3Transformer.random(cfg, m, precision);
            Lora lora = Lora.create(model.linears(), Lora.DEFAULT_TARGETS, List.of(), rank, rank, m);
            lora.attach(model.linears(), "bench", 1f);
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (Lora.Module mod : lora.modules()) {
                params.put(mod.module() + ".A", mod.a());
                params.put(mod.module() + ".B", mod.b());
            }
            params.values().forEach(p -> p.setRequiresGradient(true));
            int lat = res / 8;
            Rng rng = new Rng(0);
            NDArray x0 = rng.normal(m, new Shape(batch, cfg.inChannels(), lat, lat));
            NDArray ctx = rng.normal(m, new Shape(batch, tokens, cfg.jointAttentionDim()));
            NDArray pooled = rng.normal(m, new Shape(batch, cfg.pooledProjectionDim()));
            float[] table = RectifiedFlow.SD3.trainingSigmas();
            try (AdamW opt = new AdamW(params, new AdamW.Hyper(0.9, 0.999, 1e-8, 1e-4))) {
                for (int i = 0; i < warmup + steps; i++) {
                    long t0 = System.nanoTime();
                    step(model, params, opt, x0, ctx, pooled, rng, table, m);
                    if (i >= warmup) {
                        ms.add((System.nanoTime() - t0) / 1e6);
                    }
                }
            }
        } finally {
            Grads.gradMode(gradMode);
            Grads.graphOptimizer(Grads.graphOptimizerDefault());
        }
        return report(preset, res, batch, tokens, rank, precision, ms, rssBefore);
    }

    private static void step(SD3Transformer model, Map<String, NDArray> params, AdamW opt, NDArray x0Fixed,
                             NDArray ctxFixed, NDArray pooledFixed, Rng rng, float[] table, NDManager m) {
        int b = (int) x0Fixed.getShape().get(0);
        try (NDManager s = m.newSubManager()) {
            // copies in the step scope: every activation lands in its first operand's manager (pitfall 1)
            NDArray x0 = inScope(x0Fixed, s);
            NDArray ctx = inScope(ctxFixed, s);
            NDArray pooled = inScope(pooledFixed, s);
            float[] sig = new float[b];
            float[] ts = new float[b];
            for (int i = 0; i < b; i++) {
                sig[i] = table[RectifiedFlow.SD3.index(RectifiedFlow.uLogitNormal(rng.nextGaussian(), 0, 1))];
                ts[i] = RectifiedFlow.SD3.timestep(sig[i]);
            }
            NDArray eps = rng.normal(s, x0.getShape());
            NDArray sigma = s.create(sig, new Shape(b, 1, 1, 1));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray xs = RectifiedFlow.noise(x0, eps, sigma);
                NDArray v = model.forward(model.precision() == Precision.F32 ? xs : model.toCompute(xs), s.create(ts),
                        model.precision() == Precision.F32 ? ctx : model.toCompute(ctx),
                        model.precision() == Precision.F32 ? pooled : model.toCompute(pooled));
                v = model.precision() == Precision.F32 ? v : model.toF32(v);
                gc.backward(RectifiedFlow.loss(v, x0, eps, xs, sigma, s.ones(new Shape(b, 1, 1, 1)), true));
            }
            Map<String, NDArray> grads = Grads.of(params, s);
            Grads.clipGlobalNorm(grads.values(), 1.0);
            opt.step(grads, 1e-4);
        }
        Grads.zero(params);
    }

    private static NDArray inScope(NDArray x, NDManager s) {
        NDArray c = x.duplicate();
        c.attach(s);
        return c;
    }

    private static Map<String, Object> report(String preset, int res, int batch, int tokens, int rank, Precision p,
                                              List<Double> ms, double rssBefore) {
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        double median = sorted.get(sorted.size() / 2);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bench", "train (LoRA step, DJL)");
        r.putAll(Torch.versions());
        r.put("config", preset);
        r.put("res", res);
        r.put("batch", batch);
        r.put("tokens", tokens);
        r.put("rank", rank);
        r.put("dtype", p.toString());
        r.put("steps_timed", ms.size());
        r.put("ms_per_step_median", Math.round(median * 10) / 10.0);
        r.put("ms_per_step_min", Math.round(sorted.get(0) * 10) / 10.0);
        r.put("images_per_s", Math.round(batch / (median / 1000) * 1000) / 1000.0);
        r.put("rss_before_mb", Math.round(rssBefore));
        r.put("peak_rss_mb", Math.round(Memory.peakRssMb()));
        return r;
    }
}
