package studio.diffusion.mmdit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static studio.diffusion.Fixtures.assertClose;
import static studio.diffusion.Fixtures.get;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.diffusion.Fixtures;

/** Forward parity with tools/reference/sd3_reference.py for each variant (plain, dual + QK-norm, QK-norm). */
class MmditForwardTest {

    @ParameterizedTest
    @ValueSource(strings = {"sd3-tiny", "sd35m-tiny", "sd35l-tiny"})
    void forwardMatchesReference(String variant) throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             SafeTensors io = Fixtures.open(variant + "/forward.safetensors")) {
            SD3Transformer model = SD3Transformer.load(Fixtures.mmdit(variant + "/transformer"), m, Precision.F32);
            assertEquals(List.of(), model.loadReport().unused());
            NDArray out = model.forward(get(io, "hidden_states", m), get(io, "timestep", m),
                    get(io, "encoder_hidden_states", m), get(io, "pooled_projections", m));
            assertClose(variant + " forward sample", out, get(io, "sample", m), 1e-4);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd3-tiny", "sd35m-tiny", "sd35l-tiny"})
    void configDetectedFromTensorsEqualsConfigJson(String variant) throws Exception {
        try (SafeTensors w = Fixtures.open(variant + "/transformer")) {
            MmditConfig json = MmditConfig.fromConfigJson(Fixtures.mmdit(variant + "/transformer/config.json"));
            MmditConfig detected = MmditConfig.detectFromWeights(w);
            // sample_size is not recoverable from tensors (it only sets the default resolution); without
            // QK-norm weights neither is the head split, and detection assumes SD3's head_dim 64.
            boolean headsKnown = json.qkNorm();
            assertEquals(headsKnown ? json.attentionHeadDim() : 64, detected.attentionHeadDim());
            assertEquals(json, new MmditConfig(json.sampleSize(), detected.patchSize(), detected.inChannels(),
                    detected.outChannels(), detected.numLayers(),
                    headsKnown ? detected.attentionHeadDim() : json.attentionHeadDim(),
                    headsKnown ? detected.numAttentionHeads() : json.numAttentionHeads(), detected.jointAttentionDim(), detected.captionProjectionDim(),
                    detected.pooledProjectionDim(), detected.posEmbedMaxSize(), detected.dualAttentionLayers(),
                    detected.qkNorm()));
        }
    }

    /** The same weights split into two shards with a diffusers index load to the same model. */
    @org.junit.jupiter.api.Test
    void shardedFolderLoadsTheSameModel(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path folder = tmp.resolve("transformer");
        java.nio.file.Files.createDirectories(folder);
        java.nio.file.Files.copy(Fixtures.mmdit("sd35l-tiny/transformer/config.json"), folder.resolve("config.json"));
        StringBuilder map = new StringBuilder();
        try (SafeTensors src = Fixtures.open("sd35l-tiny/transformer")) {
            studio.core.safetensors.SafeTensorsWriter[] shards = {
                new studio.core.safetensors.SafeTensorsWriter(), new studio.core.safetensors.SafeTensorsWriter()};
            int i = 0;
            for (studio.core.safetensors.TensorInfo t : src.tensors()) {
                int shard = i++ % 2;
                shards[shard].add(t.name(), t.dtype(), t.shape(), src.data(t.name()));
                map.append(map.length() == 0 ? "" : ",").append('"').append(t.name()).append("\":\"")
                        .append("diffusion_pytorch_model-0000").append(shard + 1).append("-of-00002.safetensors\"");
            }
            shards[0].write(folder.resolve("diffusion_pytorch_model-00001-of-00002.safetensors"));
            shards[1].write(folder.resolve("diffusion_pytorch_model-00002-of-00002.safetensors"));
        }
        java.nio.file.Files.writeString(folder.resolve("diffusion_pytorch_model.safetensors.index.json"),
                "{\"metadata\":{\"total_size\":0},\"weight_map\":{" + map + "}}");
        try (NDManager m = NDManager.newBaseManager();
             SafeTensors io = Fixtures.open("sd35l-tiny/forward.safetensors")) {
            SD3Transformer model = SD3Transformer.load(folder, m, Precision.F32);
            NDArray out = model.forward(get(io, "hidden_states", m), get(io, "timestep", m),
                    get(io, "encoder_hidden_states", m), get(io, "pooled_projections", m));
            assertClose("sd35l-tiny sharded forward sample", out, get(io, "sample", m), 1e-4);
        }
    }
}
