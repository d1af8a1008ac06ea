package studio.diffusion.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import studio.diffusion.mmdit.MmditConfig;

/**
 * Every foreign LoRA naming scheme mapped to diffusers module paths, in one place (STYLE.md lesson 2):
 * PEFT/diffusers ({@code transformer.<path>.lora_A/lora_B}), kohya ({@code lora_unet_<SAI path with _>
 * .lora_down/.lora_up/.alpha}), ComfyUI ({@code diffusion_model.<SAI path>}, {@code lora_transformer_<path
 * with _>}, {@code base_model.model.<path>}) and the suffix variants ComfyUI accepts (SD3.md §5).
 * SAI modules map to diffusers ones by SD3.md §1.6: a fused qkv splits into three row blocks of D, and
 * the two AdaLayerNormContinuous modulations swap their halves (SAI shift, scale → diffusers scale, shift).
 */
public final class LoraNames {

    /** Which factor a key holds. */
    public enum Part { A, B, ALPHA }

    /** A key taken apart: the model-side module (in the naming {@code sai} says) and the factor. */
    public record Key(String module, boolean sai, Part part) {}

    /**
     * Where (part of) a source module's up-matrix rows go: rows [rowStart, rowStart + rows) of B go to
     * the diffusers module {@code target}; with {@code swapHalves} the two halves of those rows trade places.
     */
    public record Target(String target, int rowStart, int rows, boolean swapHalves) {}

    private static final String[][] SUFFIXES = {
        {".lora_A.weight", "A"}, {".lora_B.weight", "B"}, {".lora_down.weight", "A"}, {".lora_up.weight", "B"},
        {".lora.down.weight", "A"}, {".lora.up.weight", "B"}, {"_lora.down.weight", "A"}, {"_lora.up.weight", "B"},
        {".lora_linear_layer.down.weight", "A"}, {".lora_linear_layer.up.weight", "B"}, {".alpha", "ALPHA"},
    };

    private final int d;
    private final Map<String, List<Target>> sai = new LinkedHashMap<>();
    private final Map<String, String> underscored = new LinkedHashMap<>(); // a_b_c → a.b.c (both namings)
    private final Set<String> diffusers;

    /** @param diffusersModules the model's Linear paths ({@code SD3Transformer.linears().keySet()}) */
    public LoraNames(MmditConfig config, Set<String> diffusersModules) {
        d = config.hidden();
        diffusers = Set.copyOf(diffusersModules);
        buildSaiTable(config);
        for (String m : diffusers) {
            underscored.put(m.replace('.', '_'), m);
        }
    }

    private void buildSaiTable(MmditConfig c) {
        one("context_embedder", "context_embedder", c.hidden());
        one("t_embedder.mlp.0", "time_text_embed.timestep_embedder.linear_1", d);
        one("t_embedder.mlp.2", "time_text_embed.timestep_embedder.linear_2", d);
        one("y_embedder.mlp.0", "time_text_embed.text_embedder.linear_1", d);
        one("y_embedder.mlp.2", "time_text_embed.text_embedder.linear_2", d);
        one("final_layer.linear", "proj_out", c.patchSize() * c.patchSize() * c.outChannels());
        sai.put("final_layer.adaLN_modulation.1", List.of(new Target("norm_out.linear", 0, 2 * d, true)));
        for (int i = 0; i < c.numLayers(); i++) {
            String j = "joint_blocks." + i + ".";
            String b = "transformer_blocks." + i + ".";
            boolean last = c.contextPreOnly(i);
            qkv(j + "x_block.attn.qkv", b + "attn.to_q", b + "attn.to_k", b + "attn.to_v");
            one(j + "x_block.attn.proj", b + "attn.to_out.0", d);
            one(j + "x_block.mlp.fc1", b + "ff.net.0.proj", 4 * d);
            one(j + "x_block.mlp.fc2", b + "ff.net.2", d);
            one(j + "x_block.adaLN_modulation.1", b + "norm1.linear", (c.isDual(i) ? 9 : 6) * d);
            qkv(j + "context_block.attn.qkv", b + "attn.add_q_proj", b + "attn.add_k_proj", b + "attn.add_v_proj");
            sai.put(j + "context_block.adaLN_modulation.1",
                    List.of(new Target(b + "norm1_context.linear", 0, (last ? 2 : 6) * d, last)));
            if (!last) {
                one(j + "context_block.attn.proj", b + "attn.to_add_out", d);
                one(j + "context_block.mlp.fc1", b + "ff_context.net.0.proj", 4 * d);
                one(j + "context_block.mlp.fc2", b + "ff_context.net.2", d);
            }
            if (c.isDual(i)) {
                qkv(j + "x_block.attn2.qkv", b + "attn2.to_q", b + "attn2.to_k", b + "attn2.to_v");
                one(j + "x_block.attn2.proj", b + "attn2.to_out.0", d);
            }
        }
        for (String k : sai.keySet()) {
            underscored.put(k.replace('.', '_'), k);
        }
    }

    private void one(String saiName, String target, int rows) {
        sai.put(saiName, List.of(new Target(target, 0, rows, false)));
    }

    private void qkv(String saiName, String q, String k, String v) {
        sai.put(saiName, List.of(new Target(q, 0, d, false), new Target(k, d, d, false), new Target(v, 2 * d, d, false)));
    }

    /** True for text-encoder keys (lora_te*, text_encoder*): not for the transformer, skipped by the loader. */
    public static boolean isTextEncoderKey(String key) {
        return key.startsWith("lora_te") || key.startsWith("text_encoder") || key.startsWith("te_")
                || key.startsWith("text_encoders.");
    }

    /** Takes a file key apart, or returns null when it names no module of this model. */
    public Key parse(String key) {
        for (String[] s : SUFFIXES) {
            if (key.endsWith(s[0])) {
                return module(key.substring(0, key.length() - s[0].length()), Part.valueOf(s[1]));
            }
        }
        return null;
    }

    private Key module(String m, Part part) {
        for (String p : new String[] {"transformer.", "base_model.model."}) {
            if (m.startsWith(p) && diffusers.contains(m.substring(p.length()))) {
                return new Key(m.substring(p.length()), false, part);
            }
        }
        for (String p : new String[] {"model.diffusion_model.", "diffusion_model."}) {
            if (m.startsWith(p) && sai.containsKey(m.substring(p.length()))) {
                return new Key(m.substring(p.length()), true, part);
            }
        }
        for (String p : new String[] {"lora_unet_", "lora_transformer_"}) {
            String dotted = m.startsWith(p) ? underscored.get(m.substring(p.length())) : null;
            if (dotted != null) {
                return new Key(dotted, sai.containsKey(dotted) && !diffusers.contains(dotted), part);
            }
        }
        if (diffusers.contains(m)) {
            return new Key(m, false, part);
        }
        return sai.containsKey(m) ? new Key(m, true, part) : null;
    }

    /** Where a parsed module's rows go in diffusers modules. */
    public List<Target> targets(Key key) {
        if (!key.sai()) {
            return List.of(new Target(key.module(), 0, -1, false));
        }
        return new ArrayList<>(sai.get(key.module()));
    }

    /** The SAI module → diffusers table (for documentation and tests). */
    public Map<String, List<Target>> saiTable() {
        return Map.copyOf(sai);
    }
}
