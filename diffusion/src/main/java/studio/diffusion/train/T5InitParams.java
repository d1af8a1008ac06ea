package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import studio.core.device.Precision;
import studio.diffusion.nn.Params;
import studio.diffusion.text.T5Config;

/**
 * Initial fp32 weights of a T5EncoderModel by checkpoint key, as transformers' {@code T5PreTrainedModel._init_weights}
 * draws them (initializer_factor 1): {@code shared} N(0, 1); attention q N(0, (d_model·d_kv)^−½), k and v
 * N(0, d_model^−½), o N(0, (heads·d_kv)^−½), relative_attention_bias N(0, d_model^−½); gated FF wi_0 / wi_1
 * N(0, d_model^−½), wo N(0, d_ff^−½); T5LayerNorm weights 1. The scales matter more than for CLIP: T5 attention has no
 * 1/√d_kv, the q init carries it. Draws come from libtorch's generator, so a seeded engine gives the same weights.
 */
final class T5InitParams implements Params {
    private final NDManager manager;
    private final String prefix;
    private final T5Config c;

    T5InitParams(NDManager manager, String prefix, T5Config c) {
        this.manager = manager;
        this.prefix = prefix;
        this.c = c;
    }

    @Override
    public Params pp(String name) {
        return new T5InitParams(manager, prefix.isEmpty() ? name : prefix + "." + name, c);
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public NDArray get(String name, long... shape) {
        String key = prefix.isEmpty() ? name : prefix + "." + name;
        Shape s = new Shape(shape);
        if (shape.length == 1) {
            if (!key.endsWith("layer_norm.weight")) {
                throw new IllegalArgumentException("T5 has no 1-d parameter but layer norms: " + key);
            }
            return manager.ones(s, DataType.FLOAT32);
        }
        return manager.randomNormal(0f, (float) std(key), s, DataType.FLOAT32);
    }

    private double std(String key) {
        double d = c.dModel();
        if (key.equals("shared.weight")) {
            return 1.0;
        }
        if (key.endsWith("relative_attention_bias.weight") || key.endsWith(".k.weight") || key.endsWith(".v.weight")
                || key.endsWith(".wi_0.weight") || key.endsWith(".wi_1.weight")) {
            return Math.pow(d, -0.5);
        }
        if (key.endsWith(".q.weight")) {
            return Math.pow(d * c.dKv(), -0.5);
        }
        if (key.endsWith(".o.weight")) {
            return Math.pow((double) c.numHeads() * c.dKv(), -0.5);
        }
        if (key.endsWith(".wo.weight")) {
            return Math.pow(c.dFf(), -0.5);
        }
        throw new IllegalArgumentException("no T5 initialisation rule for " + key);
    }

    @Override
    public Precision precision() {
        return Precision.F32;
    }

    @Override
    public NDManager manager() {
        return manager;
    }
}
