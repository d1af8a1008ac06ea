package studio.diffusion.mmdit;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.core.BadInputException;
import studio.core.device.Devices;
import studio.core.device.Precision;

/**
 * {@code studio bench denoiser}: one MMDiT forward on random weights (no checkpoint), timed as the
 * median of several runs with grad mode off; peak memory; achieved GFLOP/s from an analytic count of
 * the matmul and attention FLOPs ({@link #forwardFlops}). Compare with
 * {@code tools/reference/bench_denoiser.py} (PyTorch eager) on the same machine.
 */
public final class DenoiserBench {
    private DenoiserBench() {}

    /** Latent pixels per image pixel side: the SD3 VAE downsamples by 8 (SD3.md §3.1). */
    public static final int VAE_FACTOR = 8;

    public static Map<String, Object> run(String configName, int res, int batch, int tokens, Device device,
                                          Precision precision, int runs, int warmup) {
        MmditConfig c = MmditConfig.preset(configName);
        int lat = res / VAE_FACTOR;
        if (res % (VAE_FACTOR * c.patchSize()) != 0 || lat / c.patchSize() > c.posEmbedMaxSize()) {
            throw new BadInputException("--res", res + " must be a multiple of " + VAE_FACTOR * c.patchSize()
                    + " and at most " + VAE_FACTOR * c.patchSize() * c.posEmbedMaxSize());
        }
        Engine.getInstance().setRandomSeed(0);
        try (NDManager m = NDManager.newBaseManager(device)) {
            SD3Transformer model = SD3Transformer.random(c, m, precision);
            double[] ms = new double[runs];
            for (int i = 0; i < warmup + runs; i++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = model.toCompute(step.randomNormal(new Shape(batch, c.inChannels(), lat, lat)));
                    NDArray ctx = model.toCompute(step.randomNormal(new Shape(batch, tokens, c.jointAttentionDim())));
                    NDArray pooled = model.toCompute(step.randomNormal(new Shape(batch, c.pooledProjectionDim())));
                    NDArray t = step.full(new Shape(batch), 500f, DataType.FLOAT32);
                    long t0 = System.nanoTime();
                    NDArray out = model.forward(x, t, ctx, pooled);
                    out.toType(DataType.FLOAT32, false).sum().getFloat(); // forces completion on any device
                    if (i >= warmup) {
                        ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
            Arrays.sort(ms);
            double median = ms[runs / 2];
            double flops = forwardFlops(c, batch, lat, lat, tokens);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("bench", "denoiser");
            r.put("config", configName);
            r.put("res", res);
            r.put("batch", batch);
            r.put("tokens", tokens);
            r.put("device", Devices.format(device));
            r.put("dtype", precision.torchName());
            r.put("runs", runs);
            r.put("ms_median", round(median));
            r.put("ms_min", round(ms[0]));
            r.put("ms_max", round(ms[runs - 1]));
            r.put("gflop_per_forward", round(flops / 1e9));
            r.put("gflops_achieved", round(flops / 1e9 / (median / 1e3)));
            r.put("peak_rss_mb", peakRssMb());
            return r;
        }
    }

    /**
     * Multiply-add FLOPs (×2) of one forward: every Linear, the patch conv and attention's two matmuls
     * (element-wise ops ignored). Latent lh × lw, T context tokens.
     */
    public static double forwardFlops(MmditConfig c, int batch, int lh, int lw, int tokens) {
        double d = c.hidden();
        double n = (double) (lh / c.patchSize()) * (lw / c.patchSize());
        double t = tokens;
        double pp = (double) c.patchSize() * c.patchSize();
        double f = n * d * c.inChannels() * pp // pos_embed.proj
                + (256 * d + d * d + c.pooledProjectionDim() * d + d * d) // time_text_embed
                + t * c.jointAttentionDim() * d // context_embedder
                + 2 * d * d + n * d * pp * c.outChannels(); // norm_out, proj_out
        for (int i = 0; i < c.numLayers(); i++) {
            boolean last = c.contextPreOnly(i);
            f += d * (c.isDual(i) ? 9 : 6) * d + d * (last ? 2 : 6) * d; // norm1, norm1_context
            f += (n + t) * 3 * d * d + 2 * (n + t) * (n + t) * d; // q,k,v and softmax(QKᵀ)V
            f += n * d * d + (last ? 0 : t * d * d); // to_out.0, to_add_out
            f += n * 8 * d * d + (last ? 0 : t * 8 * d * d); // ff, ff_context
            if (c.isDual(i)) {
                f += n * 4 * d * d + 2 * n * n * d; // attn2
            }
        }
        return 2 * batch * f;
    }

    /** Peak resident set of this process (VmHWM), MB; -1 where /proc is unavailable. */
    public static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
