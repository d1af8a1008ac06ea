package studio.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensorsWriter;
import studio.diffusion.nn.Params;

/** The CLIP image tower: HF key names and shapes load strictly; the class token sees patches as a set, placed by position embeddings. */
class ClipVisionModelTest {
    private static final ClipVisionConfig TINY = new ClipVisionConfig(32, 64, 2, 4, 16, 4, 3,
            ClipConfig.Activation.QUICK_GELU, 1e-5, 16);

    @TempDir
    Path dir;

    /** Random N(0, 0.2²) tensors, recorded by key; position embeddings zero when asked. */
    private static Params recording(NDManager m, Map<String, NDArray> out, boolean zeroPositions, String prefix) {
        Params random = Params.random(m, Precision.F32, 0.2f, prefix);
        return new Params() {
            @Override public Params pp(String name) {
                return recording(m, out, zeroPositions, prefix.isEmpty() ? name : prefix + "." + name);
            }

            @Override public String prefix() {
                return prefix;
            }

            @Override public NDArray get(String name, long... shape) {
                String key = prefix.isEmpty() ? name : prefix + "." + name;
                NDArray x = zeroPositions && key.endsWith("position_embedding.weight")
                        ? m.zeros(new Shape(shape), DataType.FLOAT32) : random.get(name, shape);
                out.put(key, x);
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

    @Test
    void savedWithTransformersKeysLoadsStrictlyAndGivesTheSameEmbeddings() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            ClipVisionModel model = ClipVisionModel.of(recording(m, weights, false, ""), TINY);
            assertTrue(weights.containsKey("vision_model.embeddings.patch_embedding.weight"));
            assertTrue(weights.containsKey("vision_model.pre_layrnorm.weight"));
            assertTrue(weights.containsKey("vision_model.encoder.layers.1.self_attn.q_proj.weight"));
            assertTrue(weights.containsKey("visual_projection.weight"));
            SafeTensorsWriter w = new SafeTensorsWriter();
            weights.forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
            w.write(dir.resolve("model.safetensors"));
            Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"CLIPVisionModelWithProjection\"], "
                    + "\"hidden_size\": 32, \"intermediate_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, "
                    + "\"image_size\": 16, \"patch_size\": 4, \"hidden_act\": \"quick_gelu\", \"projection_dim\": 16}");
            ClipVisionModel loaded = ClipVisionModel.load(dir, m, Precision.F32);
            assertEquals(TINY, loaded.config());
            NDArray px = m.randomNormal(new Shape(2, 3, 16, 16));
            NDArray a = model.forward(px).imageEmbeds();
            assertEquals(new Shape(2, 16), a.getShape());
            assertArrayEquals(a.toFloatArray(), loaded.forward(px).imageEmbeds().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void withoutPositionEmbeddingsSwappingTwoPatchesKeepsTheImageEmbedding() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray px = m.randomNormal(new Shape(1, 3, 16, 16));
            NDArray swapped = px.duplicate();
            swapped.set(new ai.djl.ndarray.index.NDIndex(":, :, 0:4, 0:4"), px.get(":, :, 8:12, 12:16"));
            swapped.set(new ai.djl.ndarray.index.NDIndex(":, :, 8:12, 12:16"), px.get(":, :, 0:4, 0:4"));
            ClipVisionModel setModel = ClipVisionModel.of(recording(m, new LinkedHashMap<>(), true, ""), TINY);
            float[] e1 = setModel.forward(px).imageEmbeds().toFloatArray();
            float[] e2 = setModel.forward(swapped).imageEmbeds().toFloatArray();
            double same = maxDiff(e1, e2);
            assertTrue(same < 1e-5, "a set of patches: order must not matter, got " + same);
            ClipVisionModel placed = ClipVisionModel.of(recording(m, new LinkedHashMap<>(), false, ""), TINY);
            float[] p1 = placed.forward(px).imageEmbeds().toFloatArray();
            float[] p2 = placed.forward(swapped).imageEmbeds().toFloatArray();
            double diff = maxDiff(p1, p2);
            assertTrue(diff > 1e-4 && diff > 100 * same, "position embeddings make the patch order matter: " + diff);
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
