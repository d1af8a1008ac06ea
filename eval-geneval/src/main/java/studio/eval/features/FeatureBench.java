package studio.eval.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import studio.core.device.Precision;
import studio.core.image.RgbImage;
import studio.diffusion.nn.Params;
import studio.diffusion.text.ClipConfig;
import studio.diffusion.text.ClipVisionConfig;
import studio.diffusion.text.ClipVisionModel;
import studio.eval.features.dinov2.Dinov2Config;
import studio.eval.features.dinov2.Dinov2Model;
import studio.eval.features.inception.FidInceptionV3;
import studio.eval.fid.FeatureMatrix;

/**
 * Time per image of each extractor at its real size on random weights (no checkpoint needed; compute does not depend
 * on the values): FID Inception-v3 at 299, DINOv2 ViT-L/14 at 224, CLIP ViT-L/14 at 224; {@code tiny-clip} uses the
 * given (or embedded) trained tower. Random noise images of {@code side}², decoded already, so the figures are
 * preprocessing (resize, normalise) and the network.
 */
public final class FeatureBench {
    private FeatureBench() {}

    public static Map<String, Object> run(String features, Path weights, int images, int side, int batch) throws IOException {
        Random rng = new Random(0);
        List<RgbImage> inputs = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            byte[] rgb = new byte[side * side * 3];
            rng.nextBytes(rgb);
            inputs.add(new RgbImage(side, side, rgb));
        }
        try (NDManager root = NDManager.newBaseManager()) {
            NDManager m = root.newSubManager();
            NetworkExtractor ex = switch (features) {
                case "inception" -> new InceptionExtractor(m, FidInceptionV3.of(random(m, "")), ResizeMode.LEGACY,
                        "random", batch);
                case "dinov2" -> new Dinov2Extractor(m, Dinov2Model.of(random(m, ""),
                        new Dinov2Config(1024, 24, 16, 4096, 518, 14, 3, 1e-6)), ResizeMode.LEGACY, Dinov2Extractor.SIZE,
                        "random", batch);
                case "clip" -> new ClipImageExtractor(m, ClipVisionModel.of(random(m, ""), new ClipVisionConfig(1024, 4096,
                        24, 16, 224, 14, 3, ClipConfig.Activation.QUICK_GELU, 1e-5, 768)), ResizeMode.LEGACY,
                        ClipImageExtractor.Normalization.CLIP_MEAN_STD, "clip", "random", batch);
                default -> Extractors.open(features, weights, ResizeMode.LEGACY, m);
            };
            try (ex) {
                ex.extractImages(inputs.subList(0, Math.min(batch, images))); // warm-up: first-call allocations, JIT
                long t0 = System.nanoTime();
                FeatureMatrix f = ex.extractImages(inputs);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("features", features);
                out.put("weights", features.equals("tiny-clip") ? ex.name() : "random (" + ex.name() + ")");
                out.put("dim", f.cols());
                out.put("images", images);
                out.put("image_side", side);
                out.put("batch", batch);
                out.put("seconds_per_image", seconds / images);
                out.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
                return out;
            }
        }
    }

    /** Small random weights; norms' running variances positive (BatchNorm would give NaN otherwise). */
    private static Params random(NDManager m, String prefix) {
        return new Params() {
            @Override public Params pp(String name) {
                return random(m, prefix.isEmpty() ? name : prefix + "." + name);
            }

            @Override public String prefix() {
                return prefix;
            }

            @Override public NDArray get(String name, long... shape) {
                return name.endsWith("running_var") ? m.randomUniform(0.5f, 1.5f, new Shape(shape), DataType.FLOAT32)
                        : m.randomNormal(0f, 0.02f, new Shape(shape), DataType.FLOAT32);
            }

            @Override public Precision precision() {
                return Precision.F32;
            }

            @Override public NDManager manager() {
                return m;
            }
        };
    }
}
