package studio.diffusion.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.core.BadInputException;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.TensorInfo;

/**
 * A LoRA file converted to diffusers module paths: per module, fp32 A [r, in], B [out, r] and
 * scale = alpha / rank (SD3.md §5.2). PEFT files take alpha from {@code lora_adapter_metadata} (else
 * scale 1, as diffusers); kohya and ComfyUI files from {@code .alpha} (missing → alpha = rank, scale 1).
 * Attach with {@link #attach}; several LoRAs can be attached at once, each with its own multiplier.
 */
public final class Lora {
    private static final Logger LOG = LoggerFactory.getLogger(Lora.class);

    /** One adapted module: A [r, in], B [out, r] (fp32), scale = alpha / r (without the user multiplier). */
    public record Module(String module, NDArray a, NDArray b, float scale) {}

    private final String source;
    private final List<Module> modules;

    public Lora(String source, List<Module> modules) {
        this.source = source;
        this.modules = List.copyOf(modules);
    }

    public String source() {
        return source;
    }

    public List<Module> modules() {
        return modules;
    }

    /** Adds this LoRA to {@code linears} as adapter {@code id}, scale × multiplier; fails on an unknown module. */
    public void attach(Map<String, LoraLinear> linears, String id, float multiplier) {
        attach(linears, id, multiplier, 0f);
    }

    /** As {@link #attach(Map, String, float)} with LoRA dropout (active only on layers set to training). */
    public void attach(Map<String, LoraLinear> linears, String id, float multiplier, float dropout) {
        for (Module m : modules) {
            LoraLinear l = linears.get(m.module());
            if (l == null) {
                throw new BadInputException(source, "LoRA module '" + m.module() + "' is not a Linear of this model");
            }
            l.addAdapter(id, m.a(), m.b(), m.scale() * multiplier, dropout);
        }
    }

    /** diffusers' SD3 DreamBooth default targets (suffixes of module paths; attn2 is not matched), SD3.md §5.1. */
    public static final List<String> DEFAULT_TARGETS = List.of("attn.to_q", "attn.to_k", "attn.to_v", "attn.to_out.0",
            "attn.add_q_proj", "attn.add_k_proj", "attn.add_v_proj", "attn.to_add_out");

    /**
     * A new trainable LoRA, PEFT's "gaussian" init: A ~ N(0, (1/r)²), B = 0 (so the model is unchanged
     * at step 0), fp32, scale alpha / r. Targets are suffixes of module paths ({@link #DEFAULT_TARGETS});
     * {@code blocks} (may be empty = all) restricts them to {@code transformer_blocks.{b}.}.
     */
    public static Lora create(Map<String, LoraLinear> linears, List<String> targets, List<Integer> blocks, int rank,
                              float alpha, NDManager manager) {
        List<Module> out = new ArrayList<>();
        for (LoraLinear l : linears.values()) {
            if (matches(l.name(), targets, blocks)) {
                NDArray a = manager.randomNormal(0f, 1f / rank, new Shape(rank, l.inFeatures()),
                        ai.djl.ndarray.types.DataType.FLOAT32);
                NDArray b = manager.zeros(new Shape(l.outFeatures(), rank));
                out.add(new Module(l.name(), a, b, alpha / rank));
            }
        }
        if (out.isEmpty()) {
            throw new BadInputException("lora targets", "no Linear matches " + targets + " in blocks " + blocks);
        }
        return new Lora("new", out);
    }

    private static boolean matches(String module, List<String> targets, List<Integer> blocks) {
        boolean target = targets.stream().anyMatch(t -> module.equals(t) || module.endsWith("." + t));
        boolean block = blocks.isEmpty() || blocks.stream().anyMatch(b -> module.startsWith("transformer_blocks." + b + "."));
        return target && block;
    }

    /**
     * Saves in PEFT/diffusers keys ({@code transformer.<module>.lora_A.weight} [r, in], {@code lora_B} [out, r],
     * fp32) with {@code format: pt} and {@code lora_adapter_metadata} (transformer.r, transformer.lora_alpha,
     * transformer.target_modules) as diffusers writes it (SD3.md §5.1); {@code extra} adds entries such as
     * the base model, T5 length and training config. One rank and alpha for all modules.
     */
    public void savePeft(Path file, Map<String, String> extra) throws IOException {
        studio.core.safetensors.SafeTensorsWriter w = new studio.core.safetensors.SafeTensorsWriter();
        TreeSet<String> targets = new TreeSet<>();
        long rank = modules.get(0).a().getShape().get(0);
        float scale = modules.get(0).scale();
        for (Module m : modules) {
            if (m.a().getShape().get(0) != rank || m.scale() != scale) {
                throw new IllegalStateException("PEFT files carry one rank and alpha; " + m.module() + " differs");
            }
            w.addF32("transformer." + m.module() + ".lora_A.weight", m.a().getShape().getShape(), m.a().toFloatArray());
            w.addF32("transformer." + m.module() + ".lora_B.weight", m.b().getShape().getShape(), m.b().toFloatArray());
            targets.add(m.module().replaceFirst("^transformer_blocks\\.\\d+\\.", ""));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("transformer.r", rank);
        meta.put("transformer.lora_alpha", scale * rank);
        meta.put("transformer.target_modules", new ArrayList<>(targets));
        w.metadata("format", "pt").metadata("lora_adapter_metadata", new ObjectMapper().writeValueAsString(meta));
        w.metadata(extra);
        w.write(file);
    }

    /** Merges adapter {@code id} into every base weight it touches (W ← W + scale·B·A). */
    public static void merge(Map<String, LoraLinear> linears, String id) {
        linears.values().forEach(l -> l.merge(id));
    }

    /** Undoes {@link #merge}; the adapter then runs unmerged again. */
    public static void unmerge(Map<String, LoraLinear> linears, String id) {
        linears.values().forEach(l -> l.unmerge(id));
    }

    /** Removes adapter {@code id} everywhere (unmerging first where merged). */
    public static void detach(Map<String, LoraLinear> linears, String id) {
        linears.values().forEach(l -> l.removeAdapter(id));
    }

    /** Reads a LoRA in PEFT, kohya or ComfyUI keys (mixed is fine) into fp32 arrays of {@code manager}. */
    public static Lora load(Path file, LoraNames names, NDManager manager) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            return read(st, names, manager, false);
        }
    }

    /**
     * The LoRA tensors of {@code st}. Text-encoder keys are skipped with a warning; other keys that name no
     * module fail the load unless {@code ignoreOthers} (for files that also hold other tensors).
     */
    public static Lora read(SafeTensors st, LoraNames names, NDManager manager, boolean ignoreOthers) {
        String where = st.source().toString();
        float peftAlpha = peftAlpha(st.metadata());
        Map<String, NDArray[]> parts = new LinkedHashMap<>(); // source module → {A, B, alpha}
        Map<String, LoraNames.Key> keys = new LinkedHashMap<>();
        TreeSet<String> unknown = new TreeSet<>();
        int skippedTe = 0;
        for (TensorInfo t : st.tensors()) {
            LoraNames.Key k = names.parse(t.name());
            if (k == null) {
                if (LoraNames.isTextEncoderKey(t.name())) {
                    skippedTe++;
                } else {
                    unknown.add(t.name());
                }
                continue;
            }
            String id = (k.sai() ? "sai:" : "") + k.module();
            keys.put(id, k);
            NDArray x = manager.create(st.readFloats(t.name()), new Shape(t.shape()));
            parts.computeIfAbsent(id, z -> new NDArray[3])[k.part().ordinal()] = x;
        }
        if (!unknown.isEmpty() && !ignoreOthers) {
            throw new BadInputException(where, unknown.size() + " keys name no module of this transformer: "
                    + String.join(", ", new ArrayList<>(unknown).subList(0, Math.min(5, unknown.size())))
                    + (unknown.size() > 5 ? ", ..." : ""));
        }
        if (skippedTe > 0) {
            LOG.warn("{}: {} text-encoder LoRA tensors ignored (transformer only)", where, skippedTe);
        }
        List<Module> out = new ArrayList<>();
        for (Map.Entry<String, NDArray[]> e : parts.entrySet()) {
            out.addAll(convert(where, names, keys.get(e.getKey()), e.getValue(), peftAlpha));
        }
        return new Lora(where, out);
    }

    private static List<Module> convert(String where, LoraNames names, LoraNames.Key key, NDArray[] p, float peftAlpha) {
        NDArray a = p[0];
        NDArray b = p[1];
        if (a == null || b == null || a.getShape().dimension() != 2 || b.getShape().dimension() != 2
                || a.getShape().get(0) != b.getShape().get(1)) {
            throw new BadInputException(where, "LoRA module '" + key.module() + "' needs 2-D down/A [r, in] and up/B [out, r]"
                    + " (conv LoRAs are not supported), got A " + (a == null ? "none" : a.getShape())
                    + ", B " + (b == null ? "none" : b.getShape()));
        }
        long rank = a.getShape().get(0);
        float alpha = p[2] != null ? p[2].getFloat() : (!key.sai() && !Float.isNaN(peftAlpha) ? peftAlpha : rank);
        if (alpha == 0f) { // kohya: zero alpha means alpha = rank
            alpha = rank;
        }
        float scale = alpha / rank;
        List<Module> out = new ArrayList<>();
        for (LoraNames.Target t : names.targets(key)) {
            long rows = t.rows() < 0 ? b.getShape().get(0) : t.rows();
            if (t.rowStart() + rows > b.getShape().get(0)) {
                throw new BadInputException(where, "LoRA module '" + key.module() + "' up/B has " + b.getShape().get(0)
                        + " rows, expected at least " + (t.rowStart() + rows));
            }
            NDArray part = b.get("{}:{}", t.rowStart(), t.rowStart() + rows);
            if (t.swapHalves()) { // SAI (shift, scale) → diffusers (scale, shift), SD3.md §1.6
                NDList h = part.split(2, 0);
                part = NDArrays.concat(new NDList(h.get(1), h.get(0)), 0);
            }
            out.add(new Module(t.target(), a, part, scale));
        }
        return out;
    }

    /** lora_alpha from diffusers' {@code lora_adapter_metadata} (keys with or without "transformer."), or NaN. */
    static float peftAlpha(Map<String, String> metadata) {
        String json = metadata.get("lora_adapter_metadata");
        if (json == null) {
            return Float.NaN;
        }
        try {
            JsonNode n = new ObjectMapper().readTree(json);
            JsonNode alpha = n.has("transformer.lora_alpha") ? n.get("transformer.lora_alpha") : n.get("lora_alpha");
            return alpha == null || !alpha.isNumber() ? Float.NaN : alpha.floatValue();
        } catch (IOException e) {
            throw new BadInputException("lora_adapter_metadata", "not valid JSON: " + e.getMessage());
        }
    }
}
