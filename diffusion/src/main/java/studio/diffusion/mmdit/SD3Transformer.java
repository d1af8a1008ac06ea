package studio.diffusion.mmdit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.core.device.Precision;
import studio.core.ops.Kernels;
import studio.core.ops.Ops;
import studio.core.safetensors.SafeTensors;
import studio.core.weights.LoadReport;
import studio.core.weights.Weights;
import studio.diffusion.lora.LoraLinear;
import studio.diffusion.nn.Params;

/**
 * SD3Transformer2DModel, the MMDiT denoiser (SD3.md §1.4), for SD3-medium, SD3.5-medium (dual
 * attention, QK-norm), SD3.5-large and tiny configs. Parts in checkpoint order: {@code pos_embed},
 * {@code time_text_embed}, {@code context_embedder}, {@code transformer_blocks.*}, {@code norm_out},
 * {@code proj_out}. Every Linear is a {@link LoraLinear} registered under its diffusers path
 * ({@link #linears()}), which is how LoRAs attach.
 */
public final class SD3Transformer {
    private static final Logger LOG = LoggerFactory.getLogger(SD3Transformer.class);
    private static final double EPS = 1e-6;

    private final MmditConfig config;
    private final Precision precision;
    private final LoadReport report;
    private final Map<String, LoraLinear> linears = new LinkedHashMap<>();
    private final PatchEmbed posEmbed; // pos_embed
    private final TimeTextEmbed timeTextEmbed; // time_text_embed
    private final LoraLinear contextEmbedder; // context_embedder [D, joint_attention_dim]
    private final List<JointTransformerBlock> blocks = new ArrayList<>(); // transformer_blocks.{i}
    private final LoraLinear normOut; // norm_out.linear [2D, D]: scale rows first, then shift (§7.2)
    private final LoraLinear projOut; // proj_out [p·p·C_out, D]

    /** Builds the model from a checkpoint (a root view); the load is strict ({@link Weights#requireComplete()}). */
    public SD3Transformer(Weights w, MmditConfig c) {
        this(Params.of(w), c, w);
    }

    /** A model of random weights (N(0, 0.02²)), for speed measurements without a checkpoint. */
    public static SD3Transformer random(MmditConfig c, NDManager manager, Precision precision) {
        return new SD3Transformer(Params.random(manager, precision, 0.02f, ""), c, null);
    }

    /**
     * A model whose tensors come from {@code w} (any {@link Params}, e.g. one that records every parameter for
     * full-parameter training). No load report: a checkpoint-backed caller checks completeness itself.
     */
    public static SD3Transformer of(Params w, MmditConfig c) {
        return new SD3Transformer(w, c, null);
    }

    private SD3Transformer(Params w, MmditConfig c, Weights checkpoint) {
        config = c;
        precision = w.precision();
        int d = c.hidden();
        posEmbed = new PatchEmbed(w.pp("pos_embed"), c);
        timeTextEmbed = new TimeTextEmbed(w.pp("time_text_embed"), c, linears);
        contextEmbedder = LoraLinear.load(w, "context_embedder", d, c.jointAttentionDim(), true, linears);
        for (int i = 0; i < c.numLayers(); i++) {
            blocks.add(new JointTransformerBlock(w.pp("transformer_blocks", i), c, i, linears));
        }
        normOut = LoraLinear.load(w, "norm_out.linear", 2L * d, d, true, linears);
        projOut = LoraLinear.load(w, "proj_out", (long) c.patchSize() * c.patchSize() * c.outChannels(), d, true, linears);
        report = checkpoint == null ? LoadReport.random() : checkpoint.finishLoad();
    }

    /**
     * Loads a diffusers {@code transformer/} folder (config.json + single or sharded safetensors of
     * F16/BF16/F32) or a single safetensors file, into {@code manager} in {@code precision}.
     */
    public static SD3Transformer load(Path folderOrFile, NDManager manager, Precision precision) throws IOException {
        try (SafeTensors file = SafeTensors.open(folderOrFile)) {
            Path folder = folderOrFile.toFile().isDirectory() ? folderOrFile : folderOrFile.toAbsolutePath().getParent();
            MmditConfig c = MmditConfig.load(folder, file);
            LOG.debug("MMDiT config {}", c);
            return new SD3Transformer(Weights.of(file, manager, precision), c);
        }
    }

    public MmditConfig config() {
        return config;
    }

    public Precision precision() {
        return precision;
    }

    public LoadReport loadReport() {
        return report;
    }

    /** Every Linear by diffusers module path, e.g. {@code transformer_blocks.0.attn.to_q}. */
    public Map<String, LoraLinear> linears() {
        return Collections.unmodifiableMap(linears);
    }

    /**
     * The velocity prediction. x [B, C, H, W], timestep [B] fp32 (σ·1000), context [B, T, joint_dim],
     * pooled [B, pooled_dim]; x, context and pooled in the compute precision (see {@link #toCompute}).
     * Blocks in {@code skipLayers} are skipped (skip-layer guidance). → [B, C_out, H, W], compute precision.
     */
    public NDArray forward(NDArray x, NDArray timestep, NDArray context, NDArray pooled, Set<Integer> skipLayers) {
        long b = x.getShape().get(0);
        long hh = x.getShape().get(2);
        long ww = x.getShape().get(3);
        NDArray h = posEmbed.forward(x); // [B, N, D]
        NDArray temb = timeTextEmbed.forward(timestep, pooled); // [B, D]
        NDArray siluTemb = Ops.silu(temb);
        NDArray c = contextEmbedder.forward(context); // [B, T, D]
        for (int i = 0; i < blocks.size(); i++) {
            if (!skipLayers.contains(i)) {
                Streams s = blocks.get(i).forward(h, c, siluTemb);
                h = s.x();
                c = s.c();
            }
        }
        NDArray m = normOut.forward(siluTemb); // [B, 2D]: scale, shift
        int d = config.hidden();
        h = Ops.layerNormModulate(h, m.get(":, " + d + ":"), m.get(":, :" + d), EPS);
        h = projOut.forward(h); // [B, N, p·p·C]
        return unpatchify(h, b, hh, ww);
    }

    public NDArray forward(NDArray x, NDArray timestep, NDArray context, NDArray pooled) {
        return forward(x, timestep, context, pooled, Set.of());
    }

    /** [B, N, p·p·C] → [B, C, H, W]: reshape [B, h, w, p, p, C], permute "nhwpqc→nchpwq" (SD3.md §1.4 step 9). */
    private NDArray unpatchify(NDArray h, long b, long hh, long ww) {
        int p = config.patchSize();
        int ch = config.outChannels();
        return h.reshape(b, hh / p, ww / p, p, p, ch).transpose(0, 5, 1, 3, 2, 4).reshape(b, ch, hh, ww);
    }

    /** Casts an fp32 input to the compute precision (a new array; the input is left as it is). */
    public NDArray toCompute(NDArray x) {
        return precision == Precision.F32 ? x.duplicate() : Kernels.of(x).cast(x, precision);
    }

    /** Casts a model output to fp32 (a new array). */
    public NDArray toF32(NDArray x) {
        return precision == Precision.F32 ? x.duplicate() : Kernels.of(x).cast(x, Precision.F32);
    }
}
