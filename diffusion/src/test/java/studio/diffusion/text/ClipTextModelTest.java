package studio.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static studio.diffusion.Fixtures.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;

/** CLIP-L-style (quick-GELU, stored F16) and bigG-style (GELU, stored BF16) parity with text_reference.py. */
class ClipTextModelTest {

    @ParameterizedTest
    @CsvSource({"text_encoder, clip_l, QUICK_GELU", "text_encoder_2, clip_g, GELU"})
    void forwardMatchesReference(String folder, String key, ClipConfig.Activation act) throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             SafeTensors io = SafeTensors.open(TextFixtures.path("forward_" + key + ".safetensors"))) {
            ClipTextModel model = ClipTextModel.load(TextFixtures.tiny().resolve(folder), m, Precision.F32);
            assertEquals(act, model.config().hiddenAct());
            assertEquals(List.of(), model.loadReport().unused());
            ClipTextModel.Output out = model.forward(TextFixtures.ids(io, "input_ids", m));
            assertClose(key + " last_hidden", out.lastHidden(), TextFixtures.floats(io, "last_hidden", m), 1e-4);
            assertClose(key + " penultimate", out.penultimate(), TextFixtures.floats(io, "penultimate", m), 1e-4);
            assertClose(key + " pooled", out.pooled(), TextFixtures.floats(io, "pooled", m), 1e-4);
        }
    }

    @Test
    void randomModelOfAConfigRunsThroughTheSameCode() throws Exception {
        ClipConfig c = ClipConfig.fromConfigJson(TextFixtures.tiny().resolve("text_encoder/config.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            ClipTextModel model = ClipTextModel.random(c, m, Precision.F32);
            NDArray ids = m.create(new long[2 * 77], new ai.djl.ndarray.types.Shape(2, 77));
            ClipTextModel.Output o = model.forward(ids);
            assertEquals(new ai.djl.ndarray.types.Shape(2, 77, 12), o.penultimate().getShape());
            assertEquals(new ai.djl.ndarray.types.Shape(2, 16), o.pooled().getShape());
            assertEquals(3 * 6, model.linears().size()); // q, k, v, out_proj, fc1, fc2 per layer, by module path
            org.junit.jupiter.api.Assertions.assertTrue(
                    model.linears().containsKey("text_model.encoder.layers.2.self_attn.q_proj"), model.linears().keySet()::toString);
        }
    }

    @Test
    void poolingTakesTheFirstEosUnderTheLegacyRuleAndTheConfiguredIdOtherwise() {
        long[] ids = {49406, 320, 49407, 49407, 0, 49406, 5, 6, 49407, 0};
        assertArrayEquals(new long[] {2, 3}, ClipTextModel.eosPositions(ids, 2, 5, 2));
        assertArrayEquals(new long[] {4, 4}, ClipTextModel.eosPositions(ids, 2, 5, 0));
        assertArrayEquals(new long[] {0, 0}, ClipTextModel.eosPositions(ids, 2, 5, 7));
    }

    @Test
    void wrongActivationIsRejected(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path cfg = tmp.resolve("config.json");
        java.nio.file.Files.writeString(cfg, java.nio.file.Files.readString(
                TextFixtures.tiny().resolve("text_encoder/config.json")).replace("quick_gelu", "relu"));
        org.junit.jupiter.api.Assertions.assertThrows(studio.core.BadInputException.class,
                () -> ClipConfig.fromConfigJson(cfg));
    }
}
