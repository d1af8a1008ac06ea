package studio.eval.geneval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensorsWriter;
import studio.diffusion.nn.Params;
import studio.diffusion.text.ClipConfig;
import studio.diffusion.text.ClipVisionConfig;
import studio.diffusion.text.ClipVisionModel;

/**
 * A tiny random CLIP folder for tests: {@code image_encoder/} with seeded N(0, 0.2²) weights under transformers'
 * keys, and the diffusion module's tiny {@code text_encoder/} + {@code tokenizer/} fixture (projection 16, as
 * the image tower's).
 */
final class TinyClip {
    static final ClipVisionConfig VISION = new ClipVisionConfig(32, 64, 2, 4, 16, 4, 3,
            ClipConfig.Activation.QUICK_GELU, 1e-5, 16);
    static final Path TEXT_FIXTURE = Path.of("../diffusion/src/test/resources/fixtures/text/sd3-text-tiny");

    private TinyClip() {}

    static Path folder(Path root, long seed) throws IOException {
        Path image = root.resolve("image_encoder");
        Files.createDirectories(image);
        Map<String, NDArray> weights = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            ClipVisionModel.of(seeded(m, new Random(seed), weights, ""), VISION);
            SafeTensorsWriter w = new SafeTensorsWriter();
            weights.forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
            w.write(image.resolve("model.safetensors"));
        }
        Files.writeString(image.resolve("config.json"), "{\"architectures\": [\"CLIPVisionModelWithProjection\"], "
                + "\"hidden_size\": 32, \"intermediate_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, "
                + "\"image_size\": 16, \"patch_size\": 4, \"hidden_act\": \"quick_gelu\", \"projection_dim\": 16}");
        for (String part : new String[] {"text_encoder", "tokenizer"}) {
            Files.createDirectories(root.resolve(part));
            try (Stream<Path> files = Files.list(TEXT_FIXTURE.resolve(part))) {
                for (Path f : files.toList()) {
                    Files.copy(f, root.resolve(part).resolve(f.getFileName()));
                }
            }
        }
        return root;
    }

    private static Params seeded(NDManager m, Random random, Map<String, NDArray> out, String prefix) {
        return new Params() {
            @Override public Params pp(String name) {
                return seeded(m, random, out, prefix.isEmpty() ? name : prefix + "." + name);
            }

            @Override public String prefix() {
                return prefix;
            }

            @Override public NDArray get(String name, long... shape) {
                long n = 1;
                for (long s : shape) {
                    n *= s;
                }
                float[] v = new float[(int) n];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * 0.2);
                }
                NDArray x = m.create(v, new Shape(shape));
                out.put(prefix.isEmpty() ? name : prefix + "." + name, x);
                return x;
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
