package studio.diffusion.mmdit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.device.Precision;
import studio.diffusion.nn.Params;

/** The pancap-tiny MMDiT preset: the shape configs/train/README.md states, and a forward on random weights. */
class PancapTinyPresetTest {

    @Test
    void presetHasThePancapTinyShape() {
        MmditConfig c = MmditConfig.preset("pancap-tiny");
        assertEquals(MmditConfig.pancapTiny(), c);
        assertEquals(16, c.inChannels());
        assertEquals(16, c.outChannels());
        assertEquals(16, c.sampleSize()); // 64 px through the factor-4 VAE
        assertEquals(2, c.patchSize());
        assertEquals(256, c.jointAttentionDim()); // the tiny T5's d_model
        assertEquals(256, c.pooledProjectionDim()); // CLIP-L-class 128 + bigG-class 128
        assertEquals(32, c.posEmbedMaxSize());
        assertEquals(4, c.numLayers());
        assertEquals(192, c.hidden());
        assertEquals(64, c.attentionHeadDim()); // SD3: heads = D / 64
        assertEquals(c.hidden() / 64, c.numAttentionHeads());
        assertEquals(List.of(), c.dualAttentionLayers());
        assertTrue(!c.qkNorm());
    }

    @Test
    void configJsonRoundTrips(@TempDir Path dir) throws Exception {
        MmditConfig c = MmditConfig.pancapTiny();
        Path file = dir.resolve("config.json");
        Files.writeString(file, c.toConfigJson().toString());
        assertEquals(c, MmditConfig.fromConfigJson(file));
        assertEquals("SD3Transformer2DModel", c.toConfigJson().get("_class_name").asText());
        MmditConfig qk = MmditConfig.sd35Medium();
        Files.writeString(file, qk.toConfigJson().toString());
        assertEquals(qk, MmditConfig.fromConfigJson(file));
    }

    /** 16×16 latents, CLIP 77 + T5 256 context positions of width 256, pooled 256 → a velocity of the latent's shape. */
    @Test
    void forwardOnRandomWeightsGivesTheLatentShape() {
        MmditConfig c = MmditConfig.pancapTiny();
        try (NDManager m = NDManager.newBaseManager()) {
            SD3Transformer model = SD3Transformer.of(Params.random(m, Precision.F32, 0.02f, ""), c);
            NDArray x = m.randomNormal(new Shape(1, 16, 16, 16));
            NDArray out = model.forward(x, m.create(new float[] {500f}), m.randomNormal(new Shape(1, 77 + 256, 256)),
                    m.randomNormal(new Shape(1, 256)));
            assertArrayEquals(new long[] {1, 16, 16, 16}, out.getShape().getShape());
            assertTrue(Float.isFinite(out.abs().sum().getFloat()));
        }
    }
}
