package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import studio.core.config.Configs;
import studio.core.safetensors.SafeTensorsWriter;
import studio.diffusion.text.ClipConfig;
import studio.diffusion.text.ClipVisionConfig;

/**
 * The model folders of a CLIP run in transformers' layout: {@code text_encoder/} and {@code text_encoder_2/}
 * (CLIPTextModelWithProjection config.json + model.safetensors, as SD3 ships them) and {@code image_encoder/}
 * (CLIPVisionModelWithProjection).
 */
final class ClipFolders {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ClipFolders() {}

    static List<Path> write(Path runDir, ClipTrainConfig c, Map<String, NDArray> params, int vocabL, int vocabG)
            throws IOException {
        Path image = part(runDir, ClipTrainer.PARTS[0], params, c);
        Files.writeString(image.resolve("config.json"), JSON.writeValueAsString(vision(c.visionConfig())));
        Path l = part(runDir, ClipTrainer.PARTS[1], params, c);
        Files.writeString(l.resolve("config.json"), JSON.writeValueAsString(text(c.textConfig(c.text(), vocabL))));
        Path g = part(runDir, ClipTrainer.PARTS[2], params, c);
        Files.writeString(g.resolve("config.json"), JSON.writeValueAsString(text(c.textConfig(c.text2(), vocabG))));
        return List.of(image, l, g);
    }

    /** {@code runDir/part/model.safetensors} with the keys under {@code part.}, prefix removed. */
    private static Path part(Path runDir, String part, Map<String, NDArray> params, ClipTrainConfig c) throws IOException {
        Path folder = runDir.resolve(part);
        Files.createDirectories(folder);
        SafeTensorsWriter w = new SafeTensorsWriter();
        String prefix = part + ".";
        params.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                w.addF32(k.substring(prefix.length()), v.getShape().getShape(), v.toFloatArray());
            }
        });
        w.metadata("format", "pt").metadata("studio.training_config", Configs.toJson(c));
        w.write(folder.resolve("model.safetensors"));
        return folder;
    }

    static ObjectNode text(ClipConfig t) {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("CLIPTextModelWithProjection");
        return n.put("model_type", "clip_text_model").put("vocab_size", t.vocabSize()).put("hidden_size", t.hiddenSize())
                .put("intermediate_size", t.intermediateSize()).put("num_hidden_layers", t.numHiddenLayers())
                .put("num_attention_heads", t.numAttentionHeads()).put("max_position_embeddings", t.maxPositionEmbeddings())
                .put("hidden_act", t.hiddenAct() == ClipConfig.Activation.GELU ? "gelu" : "quick_gelu")
                .put("layer_norm_eps", t.layerNormEps()).put("projection_dim", t.projectionDim())
                .put("bos_token_id", t.vocabSize() - 2).put("eos_token_id", t.eosTokenId()).put("pad_token_id", 1)
                .put("torch_dtype", "float32");
    }

    static ObjectNode vision(ClipVisionConfig v) {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("CLIPVisionModelWithProjection");
        return n.put("model_type", "clip_vision_model").put("hidden_size", v.hiddenSize())
                .put("intermediate_size", v.intermediateSize()).put("num_hidden_layers", v.numHiddenLayers())
                .put("num_attention_heads", v.numAttentionHeads()).put("image_size", v.imageSize())
                .put("patch_size", v.patchSize()).put("num_channels", v.numChannels())
                .put("hidden_act", v.hiddenAct() == ClipConfig.Activation.GELU ? "gelu" : "quick_gelu")
                .put("layer_norm_eps", v.layerNormEps()).put("projection_dim", v.projectionDim())
                .put("torch_dtype", "float32");
    }
}
