package studio.diffusion.mmdit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import studio.core.BadInputException;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.TensorInfo;

/**
 * The SD3Transformer2DModel configuration, with the keys of diffusers' {@code transformer/config.json}
 * (SD3.md §1.2). Decided once, then passed to every block (STYLE.md lesson 3).
 *
 * @param dualAttentionLayers blocks with SD3.5's second image-only attention ({@code attn2})
 * @param qkNorm whether q/k are RMS-normalised per head ({@code "rms_norm"}, SD3.5)
 */
public record MmditConfig(int sampleSize, int patchSize, int inChannels, int outChannels, int numLayers,
                          int attentionHeadDim, int numAttentionHeads, int jointAttentionDim,
                          int captionProjectionDim, int pooledProjectionDim, int posEmbedMaxSize,
                          List<Integer> dualAttentionLayers, boolean qkNorm) {

    public MmditConfig {
        dualAttentionLayers = List.copyOf(dualAttentionLayers);
        if (captionProjectionDim != attentionHeadDim * numAttentionHeads) {
            throw new BadInputException("caption_projection_dim", "must equal num_attention_heads · attention_head_dim = "
                    + attentionHeadDim * numAttentionHeads + " (SD3.md §1.2), got " + captionProjectionDim);
        }
        for (int i : dualAttentionLayers) {
            if (i < 0 || i >= numLayers) {
                throw new BadInputException("dual_attention_layers", "layer " + i + " outside 0.." + (numLayers - 1));
            }
        }
    }

    /** Inner dimension D = heads · head_dim. */
    public int hidden() {
        return attentionHeadDim * numAttentionHeads;
    }

    public boolean isDual(int layer) {
        return dualAttentionLayers.contains(layer);
    }

    /** True for the last block, which has no context output (SD3.md §1.4.2). */
    public boolean contextPreOnly(int layer) {
        return layer == numLayers - 1;
    }

    /** SD3-medium: 24 layers, D 1536, 192 position grid (SD3.md §1.2). */
    public static MmditConfig sd3Medium() {
        return sd3(24, 192, List.of(), false);
    }

    /** SD3.5-medium: dual attention in layers 0–12, RMS QK-norm, 384 position grid. */
    public static MmditConfig sd35Medium() {
        List<Integer> dual = new ArrayList<>();
        for (int i = 0; i <= 12; i++) {
            dual.add(i);
        }
        return sd3(24, 384, dual, true);
    }

    /** SD3.5-large: 38 layers, D 2432, QK-norm. */
    public static MmditConfig sd35Large() {
        return sd3(38, 192, List.of(), true);
    }

    /** The test size: depth 3, D 64 (2 heads of 32), 4 latent channels (tools/reference/sd3_reference.py). */
    public static MmditConfig tiny() {
        return new MmditConfig(8, 2, 4, 4, 3, 32, 2, 32, 64, 32, 8, List.of(), false);
    }

    /**
     * The embedded default model's MMDiT (configs/train/README.md, "pancap-tiny"): 16×16 latents with 16 channels
     * (64 px through pancap-tiny's factor-4 VAE), patch 2 → 64 image tokens; context width 256 = the tiny T5's
     * d_model, pooled 256 = the two CLIP projections (128 + 128); SD3's head width 64 (heads = D/64); position
     * grid 32 (2× the 16/2 = 8 patches a side of 64 px, room for 128 px). Depth and width chosen by the step-time
     * measurement in configs/train/README.md.
     */
    public static MmditConfig pancapTiny() {
        return pancapTiny(PANCAP_TINY_DEPTH, PANCAP_TINY_WIDTH);
    }

    static final int PANCAP_TINY_DEPTH = 4;
    static final int PANCAP_TINY_WIDTH = 192;

    /** pancap-tiny's shape at another depth and width D (a multiple of 64), for the measurement. */
    static MmditConfig pancapTiny(int depth, int width) {
        return new MmditConfig(16, 2, 16, 16, depth, 64, width / 64, 256, width, 256, 32, List.of(), false);
    }

    private static MmditConfig sd3(int depth, int posEmbedMaxSize, List<Integer> dual, boolean qkNorm) {
        // SAI→diffusers convention: D = 64·depth, heads = depth (SD3.md §1.2).
        return new MmditConfig(128, 2, 16, 16, depth, 64, depth, 4096, 64 * depth, 2048, posEmbedMaxSize, dual, qkNorm);
    }

    /** A preset by name: sd3-medium, sd3.5-medium, sd3.5-large, tiny, pancap-tiny. */
    public static MmditConfig preset(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "sd3-medium": case "sd3": return sd3Medium();
            case "sd3.5-medium": case "sd35-medium": return sd35Medium();
            case "sd3.5-large": case "sd35-large": return sd35Large();
            case "tiny": return tiny();
            case "pancap-tiny": return pancapTiny();
            default:
                throw new BadInputException("--config", "unknown MMDiT preset '" + name
                        + "', expected sd3-medium, sd3.5-medium, sd3.5-large, tiny or pancap-tiny");
        }
    }

    /** From {@code config.json} when the folder has one, from the tensors' names and shapes otherwise. */
    public static MmditConfig load(Path folder, SafeTensors weights) throws IOException {
        Path json = folder.resolve("config.json");
        return Files.isRegularFile(json) ? fromConfigJson(json) : detectFromWeights(weights);
    }

    /** Reads diffusers' {@code transformer/config.json}; every architecture key is required (defaults differ, §1.2). */
    public static MmditConfig fromConfigJson(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        List<Integer> dual = new ArrayList<>();
        n.path("dual_attention_layers").forEach(v -> dual.add(v.asInt()));
        JsonNode qk = n.path("qk_norm");
        if (!qk.isMissingNode() && !qk.isNull() && !"rms_norm".equals(qk.asText())) {
            throw new BadInputException(file + ": qk_norm", "only null or \"rms_norm\" is supported, got " + qk);
        }
        return new MmditConfig(req(n, file, "sample_size"), req(n, file, "patch_size"), req(n, file, "in_channels"),
                n.hasNonNull("out_channels") ? n.get("out_channels").asInt() : req(n, file, "in_channels"),
                req(n, file, "num_layers"), req(n, file, "attention_head_dim"), req(n, file, "num_attention_heads"),
                req(n, file, "joint_attention_dim"), req(n, file, "caption_projection_dim"),
                req(n, file, "pooled_projection_dim"), req(n, file, "pos_embed_max_size"), dual,
                !qk.isMissingNode() && !qk.isNull());
    }

    /**
     * diffusers' {@code transformer/config.json} for this shape (the keys {@link #fromConfigJson} reads, plus the
     * class name diffusers dispatches on), so a folder written with it loads in both.
     */
    public ObjectNode toConfigJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("_class_name", "SD3Transformer2DModel").put("_diffusers_version", "0.30.0")
                .put("sample_size", sampleSize).put("patch_size", patchSize).put("in_channels", inChannels)
                .put("out_channels", outChannels).put("num_layers", numLayers)
                .put("attention_head_dim", attentionHeadDim).put("num_attention_heads", numAttentionHeads)
                .put("joint_attention_dim", jointAttentionDim).put("caption_projection_dim", captionProjectionDim)
                .put("pooled_projection_dim", pooledProjectionDim).put("pos_embed_max_size", posEmbedMaxSize);
        ArrayNode dual = n.putArray("dual_attention_layers");
        dualAttentionLayers.forEach(dual::add);
        if (qkNorm) {
            n.put("qk_norm", "rms_norm");
        } else {
            n.putNull("qk_norm");
        }
        return n;
    }

    private static int req(JsonNode n, Path file, String key) {
        if (!n.hasNonNull(key) || !n.get(key).canConvertToInt()) {
            throw new BadInputException(file + ": " + key, "missing or not an integer");
        }
        return n.get(key).asInt();
    }

    private static final Pattern BLOCK = Pattern.compile("transformer_blocks\\.(\\d+)\\..*");

    /**
     * Infers the config from tensor names and shapes only (no data read; sd.cpp's
     * {@code detect_from_weights}): patch, channels and D from {@code pos_embed.proj.weight}, depth
     * from the highest block index, head_dim from the QK-norm weight (else 64, the SD3 convention),
     * dual layers from {@code attn2} keys, the grid from {@code pos_embed.pos_embed}.
     */
    public static MmditConfig detectFromWeights(SafeTensors w) {
        long[] proj = shape(w, "pos_embed.proj.weight"); // [D, C, p, p]
        int depth = 0;
        List<Integer> dual = new ArrayList<>();
        for (TensorInfo t : w.tensors()) {
            Matcher m = BLOCK.matcher(t.name());
            if (m.matches()) {
                int i = Integer.parseInt(m.group(1));
                depth = Math.max(depth, i + 1);
                if (t.name().endsWith(".attn2.to_q.weight")) {
                    dual.add(i);
                }
            }
        }
        dual.sort(null);
        int d = (int) proj[0];
        boolean qk = w.contains("transformer_blocks.0.attn.norm_q.weight");
        int headDim = qk ? (int) shape(w, "transformer_blocks.0.attn.norm_q.weight")[0] : 64;
        long rows = shape(w, "pos_embed.pos_embed")[1];
        int grid = (int) Math.round(Math.sqrt(rows));
        if ((long) grid * grid != rows || d % headDim != 0 || depth == 0) {
            throw new BadInputException(w.source().toString(), "not an SD3 transformer: pos_embed rows " + rows
                    + ", D " + d + ", head_dim " + headDim + ", depth " + depth);
        }
        int p = (int) proj[2];
        int out = (int) (shape(w, "proj_out.weight")[0] / ((long) p * p));
        return new MmditConfig(128, p, (int) proj[1], out, depth, headDim, d / headDim,
                (int) shape(w, "context_embedder.weight")[1], d,
                (int) shape(w, "time_text_embed.text_embedder.linear_1.weight")[1], grid, dual, qk);
    }

    private static long[] shape(SafeTensors w, String name) {
        if (!w.contains(name)) {
            throw new BadInputException(w.source().toString(), "not an SD3 transformer: no tensor '" + name + "'");
        }
        return w.info(name).shape();
    }
}
