package studio.core.ops;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import studio.core.device.Devices;
import studio.core.device.Torch;

/**
 * Times each fused op against its {@link Ops.Plain} twin and prints JSON: median milliseconds
 * over {@code --runs} timed runs after {@code --warmup} untimed ones, grad mode off (inference).
 * Compare with {@code tools/reference/bench_kernels.py} (PyTorch eager, same shapes).
 *
 * <pre>studio bench kernels [--device cpu] [--runs 30] [--warmup 20] [--no-large]</pre>
 */
public final class KernelBench {

    private KernelBench() {}

    /** One benchmark case: a name, the input shapes, and the fused and plain functions. */
    private record Case(String name, long[][] shapes, Function<NDArray[], NDArray> fused,
            Function<NDArray[], NDArray> plain, int runsDivisor) {}

    /**
     * Runs every case on {@code device} and returns the report (versions, device, per-op medians),
     * ready to print as JSON; {@code studio bench kernels} is the command that prints it.
     */
    public static Map<String, Object> run(Device device, int runs, int warmup, boolean large) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("versions", Torch.versions());
        report.put("device", Devices.format(device));
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("runs", runs);
        report.put("warmup", warmup);
        List<Map<String, Object>> results = new ArrayList<>();
        try (NDManager manager = Torch.engine().newBaseManager(device)) {
            for (Case c : cases(large)) {
                results.add(run(manager, c, Math.max(3, runs / c.runsDivisor()), Math.max(2, warmup / c.runsDivisor())));
            }
        }
        report.put("results", results);
        return report;
    }

    private static List<Case> cases(boolean large) {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("attention", new long[][] {{2, 4, 300, 64}, {2, 4, 300, 64}, {2, 4, 300, 64}},
                a -> Ops.attention(a[0], a[1], a[2]), a -> Ops.Plain.attention(a[0], a[1], a[2]), 1));
        if (large) {
            // SD3 at 512²: 1024 image + 154 text tokens, 24 heads of 64.
            long[] qkv = {1, 24, 1178, 64};
            cases.add(new Case("attention", new long[][] {qkv, qkv, qkv},
                    a -> Ops.attention(a[0], a[1], a[2]), a -> Ops.Plain.attention(a[0], a[1], a[2]), 4));
        }
        // SD3 VAE decoder block: GroupNorm(32, 128) at 64×64, eps 1e-6.
        cases.add(new Case("group_norm", new long[][] {{1, 128, 64, 64}, {128}, {128}},
                a -> Ops.groupNorm(a[0], 32, a[1], a[2], 1e-6),
                a -> Ops.Plain.groupNorm(a[0], 32, a[1], a[2], 1e-6), 1));
        // MMDiT feed-forward hidden at 512²: 1024 tokens × 4·1536.
        cases.add(new Case("gelu_tanh", new long[][] {{1, 1024, 6144}},
                a -> Ops.geluTanh(a[0]), a -> Ops.Plain.geluTanh(a[0]), 1));
        cases.add(new Case("layer_norm_modulate", new long[][] {{1, 1024, 1536}, {1, 1536}, {1, 1536}},
                a -> Ops.layerNormModulate(a[0], a[1], a[2], 1e-6),
                a -> Ops.Plain.layerNormModulate(a[0], a[1], a[2], 1e-6), 1));
        return cases;
    }

    private static Map<String, Object> run(NDManager manager, Case c, int runs, int warmup) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray[] inputs = new NDArray[c.shapes().length];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = scope.randomNormal(new Shape(c.shapes()[i]));
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("op", c.name());
            row.put("shapes", c.shapes());
            row.put("runs", runs);
            double fused = medianMs(c.fused(), inputs, runs, warmup);
            double plain = medianMs(c.plain(), inputs, runs, warmup);
            row.put("fusedMs", round(fused));
            row.put("plainMs", round(plain));
            row.put("speedup", round(plain / fused));
            return row;
        }
    }

    @SuppressWarnings("try") // the scope is used only for its close()
    private static double medianMs(Function<NDArray[], NDArray> f, NDArray[] inputs,
            int runs, int warmup) {
        double[] ms = new double[runs];
        for (int i = -warmup; i < runs; i++) {
            // Results land in the inputs' manager; the scope closes every array made in this step.
            try (NDScope step = new NDScope()) {
                long t0 = System.nanoTime();
                NDArray out = f.apply(inputs);
                if (!out.getDevice().equals(Device.cpu())) {
                    out.get(0).toByteBuffer(); // waits for the device queue; CPU ops are synchronous
                }
                long t1 = System.nanoTime();
                if (i >= 0) {
                    ms[i] = (t1 - t0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        return runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
