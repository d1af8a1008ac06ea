package studio.diffusion.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.diffusion.Fixtures.assertClose;
import static studio.diffusion.Fixtures.get;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.diffusion.Fixtures;
import studio.diffusion.mmdit.SD3Transformer;

/** LoRA in PEFT, kohya and ComfyUI keys, merged and unmerged, alone and together, against the reference. */
class MmditLoraTest {
    private static NDManager manager;
    private static SD3Transformer model;
    private static LoraNames names;
    private static SafeTensors expected;

    @BeforeAll
    static void load() throws Exception {
        manager = NDManager.newBaseManager();
        model = SD3Transformer.load(Fixtures.mmdit("sd35m-tiny/transformer"), manager, Precision.F32);
        names = new LoraNames(model.config(), model.linears().keySet());
        expected = Fixtures.open("sd35m-tiny/lora_expected.safetensors");
    }

    @AfterAll
    static void close() throws Exception {
        expected.close();
        manager.close();
    }

    private NDArray forward(NDManager m) {
        return model.forward(get(expected, "hidden_states", m), get(expected, "timestep", m),
                get(expected, "encoder_hidden_states", m), get(expected, "pooled_projections", m));
    }

    private Lora lora(String file) throws Exception {
        return Lora.load(Fixtures.mmdit("sd35m-tiny/" + file), names, manager);
    }

    private void checkUnmergedMergedUnmerged(String what, String expectedKey) {
        Map<String, LoraLinear> linears = model.linears();
        try (NDManager m = manager.newSubManager()) {
            assertClose(what + " unmerged", forward(m), get(expected, expectedKey, m), 1e-4);
            for (String id : new String[] {"a", "b"}) {
                Lora.merge(linears, id);
            }
            assertClose(what + " merged", forward(m), get(expected, expectedKey, m), 1e-4);
            for (String id : new String[] {"a", "b"}) {
                Lora.unmerge(linears, id);
                Lora.detach(linears, id);
            }
            assertClose(what + " unmerged + detached = base", forward(m), get(expected, "sample.base", m), 1e-4);
        }
    }

    @Test
    void peftKeysWithAlphaFromMetadata() throws Exception {
        Lora peft = lora("lora_peft.safetensors");
        assertEquals(2.0f, peft.modules().get(0).scale()); // alpha 8 / rank 4
        peft.attach(model.linears(), "a", 1.0f);
        checkUnmergedMergedUnmerged("lora peft", "sample.peft");
    }

    @Test
    void kohyaKeysFusedQkvAndSwappedHalves() throws Exception {
        lora("lora_kohya.safetensors").attach(model.linears(), "a", 0.8f);
        checkUnmergedMergedUnmerged("lora kohya x0.8", "sample.kohya");
    }

    @Test
    void comfyUiKeys() throws Exception {
        lora("lora_comfy.safetensors").attach(model.linears(), "a", 1.0f);
        checkUnmergedMergedUnmerged("lora comfyui", "sample.comfy");
    }

    @Test
    void twoLorasWithTheirOwnScales() throws Exception {
        lora("lora_peft.safetensors").attach(model.linears(), "a", 0.5f);
        lora("lora_kohya.safetensors").attach(model.linears(), "b", 0.7f);
        checkUnmergedMergedUnmerged("lora peft x0.5 + kohya x0.7", "sample.all");
    }

    @Test
    void kohyaDeltasConvertToDiffusersRows() throws Exception {
        Lora kohya = lora("lora_kohya.safetensors");
        int last = model.config().numLayers() - 1;
        for (String module : new String[] {"transformer_blocks.0.attn.to_k", "transformer_blocks." + last
                + ".norm1_context.linear", "norm_out.linear", "transformer_blocks.0.attn2.to_v", "proj_out"}) {
            try (NDManager m = manager.newSubManager()) {
                Lora.Module mod = kohya.modules().stream().filter(x -> x.module().equals(module)).findFirst().orElse(null);
                assertNotNull(mod, module);
                NDArray delta = mod.b().matMul(mod.a()).mul(mod.scale());
                delta.attach(m);
                assertClose("kohya delta " + module, delta, get(expected, "delta.kohya." + module, m), 1e-6);
            }
        }
    }

    @Test
    void createdLoraStartsAsIdentityAndSurvivesAPeftRoundTrip(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        Lora fresh = Lora.create(model.linears(), Lora.DEFAULT_TARGETS, java.util.List.of(0, 2), 4, 8f, manager);
        assertEquals(8 + 7, fresh.modules().size()); // block 0: 8 targets; block 2 (last) has no to_add_out
        fresh.attach(model.linears(), "a", 1f);
        checkUnmergedMergedUnmerged("created lora (B = 0) = base", "sample.base");
        java.util.List<Lora.Module> trained = new java.util.ArrayList<>();
        for (Lora.Module mod : fresh.modules()) {
            trained.add(new Lora.Module(mod.module(), mod.a(), manager.randomNormal(mod.b().getShape()).mul(0.1f), mod.scale()));
        }
        java.nio.file.Path file = tmp.resolve("pytorch_lora_weights.safetensors");
        new Lora("trained", trained).savePeft(file, Map.of("studio.base_model", "sd35m-tiny", "studio.t5_max_length", "77"));
        Lora back = Lora.load(file, names, manager);
        try (SafeTensors st = SafeTensors.open(file); NDManager m = manager.newSubManager()) {
            assertTrue(st.metadata().get("lora_adapter_metadata").contains("\"transformer.lora_alpha\":8.0"));
            assertEquals("77", st.metadata().get("studio.t5_max_length"));
            new Lora("trained", trained).attach(model.linears(), "a", 1f);
            NDArray direct = forward(m);
            Lora.detach(model.linears(), "a");
            back.attach(model.linears(), "a", 1f);
            assertClose("peft save/load round trip", forward(m), direct, 0);
            assertTrue(Fixtures.maxAbsDiff(direct, get(expected, "sample.base", m)) > 1e-3);
            Lora.detach(model.linears(), "a");
        }
    }

    @Test
    void dropoutActsOnlyInTraining() throws Exception {
        lora("lora_peft.safetensors").attach(model.linears(), "a", 1.0f, 0.5f);
        try (NDManager m = manager.newSubManager()) {
            assertClose("lora peft, dropout 0.5, not training", forward(m), get(expected, "sample.peft", m), 1e-4);
            model.linears().values().forEach(l -> l.setTraining(true));
            assertTrue(Fixtures.maxAbsDiff(forward(m), get(expected, "sample.peft", m)) > 1e-3, "dropout had no effect");
        } finally {
            model.linears().values().forEach(l -> l.setTraining(false));
            Lora.detach(model.linears(), "a");
        }
    }

    @Test
    void namesCoverEveryScheme() {
        assertEquals(new LoraNames.Key("transformer_blocks.1.attn.to_q", false, LoraNames.Part.A),
                names.parse("transformer.transformer_blocks.1.attn.to_q.lora_A.weight"));
        assertEquals(new LoraNames.Key("transformer_blocks.1.attn.to_q", false, LoraNames.Part.B),
                names.parse("lora_transformer_transformer_blocks_1_attn_to_q.lora_up.weight"));
        assertEquals(new LoraNames.Key("joint_blocks.2.context_block.adaLN_modulation.1", true, LoraNames.Part.ALPHA),
                names.parse("lora_unet_joint_blocks_2_context_block_adaLN_modulation_1.alpha"));
        assertEquals(new LoraNames.Key("final_layer.linear", true, LoraNames.Part.A),
                names.parse("diffusion_model.final_layer.linear.lora.down.weight"));
        assertEquals(new LoraNames.Key("transformer_blocks.0.attn2.to_out.0", false, LoraNames.Part.B),
                names.parse("base_model.model.transformer_blocks.0.attn2.to_out.0.lora_linear_layer.up.weight"));
        assertEquals(null, names.parse("lora_unet_joint_blocks_9_x_block_attn_qkv.lora_up.weight")); // no block 9
        assertTrue(LoraNames.isTextEncoderKey("lora_te1_text_model_encoder_layers_0_self_attn_q_proj.alpha"));
    }
}
