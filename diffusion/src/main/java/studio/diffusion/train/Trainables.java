package studio.diffusion.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;
import studio.core.train.AdamW;
import studio.core.weights.Weights;
import studio.diffusion.lora.Lora;
import studio.diffusion.lora.LoraLinear;
import studio.diffusion.mmdit.MmditConfig;
import studio.diffusion.mmdit.SD3Transformer;
import studio.diffusion.nn.Params;

/**
 * The model being trained and what is trained in it, by stable name: in "lora" mode the fp32 A/B factors
 * of a new LoRA (named by their PEFT keys, {@code transformer.<module>.lora_A.weight}), the base frozen; in
 * "full" mode every MMDiT tensor (named by its diffusers checkpoint key), which must then be fp32.
 */
public final class Trainables {
    public static final String ADAPTER = "train";
    public static final String LORA_FILE = "pytorch_lora_weights.safetensors";
    public static final String FULL_FILE = "diffusion_pytorch_model.safetensors";

    private final SD3Transformer model;
    private final Map<String, NDArray> params;
    private final Lora lora;

    private Trainables(SD3Transformer model, Map<String, NDArray> params, Lora lora) {
        this.model = model;
        this.params = params;
        this.lora = lora;
    }

    public SD3Transformer model() {
        return model;
    }

    /** Trainable tensors by name, in a fixed order. */
    public Map<String, NDArray> params() {
        return params;
    }

    /** The trained LoRA (lora mode), else null. */
    public Lora lora() {
        return lora;
    }

    /**
     * Builds the model (from {@code model.path}, or random weights of {@code model.preset} seeded with the run
     * seed, so a resume rebuilds the same base) and the trainables; LoRA A is drawn from libtorch's generator
     * seeded with the run seed (B = 0), then overwritten on resume.
     */
    public static Trainables create(TrainConfig c, NDManager manager) throws IOException {
        Precision precision = Precision.parse(c.model().precision());
        boolean full = c.task().equals("full");
        if (full && precision != Precision.F32) {
            throw new BadInputException("model.precision", "full-parameter training keeps fp32 weights, got " + precision);
        }
        Engine.getInstance().setRandomSeed((int) c.seed());
        Map<String, NDArray> all = new LinkedHashMap<>();
        SD3Transformer model = build(c.model(), manager, precision, full ? all : null);
        Map<String, NDArray> params = new LinkedHashMap<>();
        Lora lora = null;
        if (full) {
            params.putAll(all);
        } else {
            lora = Lora.create(model.linears(), c.lora().targets(), c.lora().blocks(), c.lora().rank(),
                    (float) c.lora().alpha(), manager);
            lora.attach(model.linears(), ADAPTER, 1f, (float) c.lora().dropout());
            for (Lora.Module m : lora.modules()) {
                params.put("transformer." + m.module() + ".lora_A.weight", m.a());
                params.put("transformer." + m.module() + ".lora_B.weight", m.b());
            }
        }
        params.values().forEach(p -> p.setRequiresGradient(true));
        return new Trainables(model, params, lora);
    }

    private static SD3Transformer build(TrainConfig.Model m, NDManager manager, Precision precision,
                                        Map<String, NDArray> record) throws IOException {
        if (m.path().isEmpty()) {
            Params random = Params.random(manager, precision, 0.02f, "");
            MmditConfig cfg = MmditConfig.preset(m.preset());
            return record == null ? SD3Transformer.random(cfg, manager, precision)
                    : SD3Transformer.of(new RecordingParams(random, record), cfg);
        }
        if (record == null) {
            return SD3Transformer.load(Path.of(m.path()), manager, precision);
        }
        try (SafeTensors file = SafeTensors.open(Path.of(m.path()))) {
            Path p = Path.of(m.path());
            Path folder = p.toFile().isDirectory() ? p : p.toAbsolutePath().getParent();
            Weights w = Weights.of(file, manager, precision);
            SD3Transformer model = SD3Transformer.of(new RecordingParams(Params.of(w), record), MmditConfig.load(folder, file));
            w.requireComplete();
            return model;
        }
    }

    /** Switches LoRA dropout on for training, off for validation. */
    public void setTraining(boolean training) {
        model.linears().values().forEach(l -> l.setTraining(training));
    }

    /** Writes the trained weights into {@code folder}: the PEFT LoRA (with {@code metadata}) or the full fp32 transformer. */
    public Path save(Path folder, Map<String, String> metadata) throws IOException {
        if (lora != null) {
            Path file = folder.resolve(LORA_FILE);
            lora.savePeft(file, metadata);
            return file;
        }
        SafeTensorsWriter w = new SafeTensorsWriter();
        params.forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
        w.metadata("format", "pt").metadata(metadata);
        Path file = folder.resolve(FULL_FILE);
        w.write(file);
        return file;
    }

    /** Overwrites the trainables with those saved by {@link #save} in {@code folder}. */
    public void load(Path folder) throws IOException {
        try (SafeTensors st = SafeTensors.open(folder.resolve(lora != null ? LORA_FILE : FULL_FILE))) {
            params.forEach((k, v) -> AdamW.copyInto(st, k, v));
        }
    }

    /** The LoRA's linear layers (for callers that attach or detach adapters). */
    public Map<String, LoraLinear> linears() {
        return model.linears();
    }
}
