package studio.diffusion.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import studio.core.device.Precision;
import studio.core.ops.Kernels;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * A Linear layer {@code y = x·Wᵀ + b} over a frozen base of any dtype, plus any number of LoRA
 * adapters {@code + scale·(x·Aᵀ)·Bᵀ} with A [r, in] and B [out, r] in fp32 (SD3.md §5.2), each either
 * applied at run time or merged into W. Every Linear of a model is one of these, registered under its
 * diffusers module path, so LoRA files address them by name.
 */
public final class LoraLinear {

    /**
     * One LoRA on this layer. scale = multiplier · alpha / rank; a and b are fp32 (trainable when wanted);
     * dropout (PEFT's lora_dropout) applies to the adapter's input while the layer is training.
     */
    public static final class Adapter {
        public final String id;
        public final NDArray a; // [r, in]
        public final NDArray b; // [out, r]
        public final float scale;
        public final float dropout;
        /**
         * scale as a 0-d fp32 tensor on a's device, made once and kept as long as the adapter. Not
         * {@code mul(float)}: DJL makes that scalar from a Java buffer and frees the buffer right after the
         * op, while autograd keeps the scalar for the backward (grad = grad_out·scale), which then read freed
         * memory — sporadic NaN/Inf and run-to-run different LoRA gradients in training.
         */
        final NDArray scaleTensor;
        boolean merged;

        Adapter(String id, NDArray a, NDArray b, float scale, float dropout) {
            this.id = id;
            this.a = a;
            this.b = b;
            this.scale = scale;
            this.dropout = dropout;
            this.scaleTensor = a.getManager().create(scale);
        }

        public boolean merged() {
            return merged;
        }
    }

    private final String name;
    private final NDArray weight; // [out, in]
    private final NDArray bias; // [out] or null
    private final Precision precision;
    private final List<Adapter> adapters = new ArrayList<>();
    private boolean training;

    public LoraLinear(String name, NDArray weight, NDArray bias, Precision precision) {
        this.name = name;
        this.weight = weight;
        this.bias = bias;
        this.precision = precision;
    }

    /**
     * Loads {@code <w.prefix>.<name>.weight} [out, in] (and {@code .bias} [out] when {@code hasBias})
     * and registers the layer under its full key in {@code registry}.
     */
    public static LoraLinear load(Params w, String name, long out, long in, boolean hasBias,
                                  Map<String, LoraLinear> registry) {
        Params m = w.pp(name);
        LoraLinear l = new LoraLinear(m.prefix(), m.get("weight", out, in), hasBias ? m.get("bias", out) : null,
                w.precision());
        registry.put(l.name, l);
        return l;
    }

    public String name() {
        return name;
    }

    public NDArray weight() {
        return weight;
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }

    public long inFeatures() {
        return weight.getShape().get(1);
    }

    public List<Adapter> adapters() {
        return List.copyOf(adapters);
    }

    /** x [..., in] → [..., out]. Unmerged adapters run in fp32 and are added in the compute dtype. */
    public NDArray forward(NDArray x) {
        NDArray y = Ops.linear(x, weight, bias);
        for (Adapter ad : adapters) {
            if (!ad.merged) {
                y = y.add(delta(x, ad));
            }
        }
        return y;
    }

    /** Training mode switches adapter dropout on (off by default, and always off for merged adapters). */
    public void setTraining(boolean training) {
        this.training = training;
    }

    private NDArray delta(NDArray x, Adapter ad) {
        NDArray x32 = precision == Precision.F32 ? x : Kernels.of(x).cast(x, Precision.F32);
        if (training && ad.dropout > 0f) {
            x32 = ai.djl.nn.norm.Dropout.dropout(x32, ad.dropout, true).singletonOrThrow();
        }
        NDArray d = Ops.linear(Ops.linear(x32, ad.a, null), ad.b, null).mul(ad.scaleTensor);
        return precision == Precision.F32 ? d : Kernels.of(d).cast(d, precision);
    }

    /** Adds an adapter (unmerged, no dropout). a [r, in] and b [out, r] must be fp32; used as given (not copied). */
    public Adapter addAdapter(String id, NDArray a, NDArray b, float scale) {
        return addAdapter(id, a, b, scale, 0f);
    }

    /** As {@link #addAdapter(String, NDArray, NDArray, float)} with dropout on the adapter input in training. */
    public Adapter addAdapter(String id, NDArray a, NDArray b, float scale, float dropout) {
        long r = a.getShape().get(0);
        if (a.getShape().get(1) != inFeatures() || b.getShape().get(0) != outFeatures() || b.getShape().get(1) != r) {
            throw new IllegalArgumentException(name + ": LoRA " + id + " has A " + a.getShape() + ", B " + b.getShape()
                    + " for a Linear of [" + outFeatures() + ", " + inFeatures() + "]");
        }
        if (dropout < 0f || dropout >= 1f) {
            throw new IllegalArgumentException(name + ": LoRA dropout must be in [0, 1), got " + dropout);
        }
        Adapter ad = new Adapter(id, a, b, scale, dropout);
        adapters.add(ad);
        return ad;
    }

    /** Removes the adapter {@code id} (unmerging it first when merged). */
    public void removeAdapter(String id) {
        for (Adapter ad : List.copyOf(adapters)) {
            if (ad.id.equals(id)) {
                if (ad.merged) {
                    unmerge(id);
                }
                adapters.remove(ad);
                ad.scaleTensor.close();
            }
        }
    }

    /** W ← W + scale·B·A, in place (fp32 product, cast to the weight's dtype). */
    public void merge(String id) {
        apply(id, true);
    }

    /** W ← W − scale·B·A: undoes {@link #merge} (exact up to the rounding of the weight's dtype). */
    public void unmerge(String id) {
        apply(id, false);
    }

    private void apply(String id, boolean merge) {
        for (Adapter ad : adapters) {
            if (ad.id.equals(id) && ad.merged != merge) {
                try (NDManager tmp = weight.getManager().newSubManager()) {
                    NDArray b = ad.b.duplicate();
                    b.attach(tmp);
                    NDArray dw = b.matMul(ad.a).mul(merge ? ad.scale : -ad.scale);
                    if (precision != Precision.F32) {
                        dw = Kernels.of(dw).cast(dw, precision);
                    }
                    weight.addi(dw);
                }
                ad.merged = merge;
            }
        }
    }
}
