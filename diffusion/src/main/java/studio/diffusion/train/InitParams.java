package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import studio.core.device.Precision;
import studio.diffusion.nn.Params;

/**
 * Initial fp32 weights for training a model from scratch, by checkpoint key, as PyTorch initialises the layers the
 * keys belong to: Conv/Linear weights U(−1/√fan_in, 1/√fan_in) (torch.nn.Conv2d/Linear reset_parameters:
 * kaiming_uniform with a = √5), their biases 0 (HF's _init_weights), norm weights 1 and biases 0 (GroupNorm,
 * LayerNorm), embeddings N(0, 0.02²) (HF CLIP/T5 initializer_range). Draws come from libtorch's generator, so a
 * seeded engine gives the same weights.
 */
final class InitParams implements Params {
    private final NDManager manager;
    private final String prefix;

    InitParams(NDManager manager, String prefix) {
        this.manager = manager;
        this.prefix = prefix;
    }

    @Override
    public Params pp(String name) {
        return new InitParams(manager, prefix.isEmpty() ? name : prefix + "." + name);
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public NDArray get(String name, long... shape) {
        String key = prefix.isEmpty() ? name : prefix + "." + name;
        Shape s = new Shape(shape);
        if (key.contains("embedding")) {
            return manager.randomNormal(0f, 0.02f, s, DataType.FLOAT32);
        }
        if (shape.length == 1 || name.endsWith("bias")) {
            boolean normWeight = name.endsWith("weight") && isNorm(key);
            return normWeight ? manager.ones(s, DataType.FLOAT32) : manager.zeros(s, DataType.FLOAT32);
        }
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        float bound = (float) (1 / Math.sqrt(fanIn));
        return manager.randomUniform(-bound, bound, s, DataType.FLOAT32);
    }

    /** Norm layers by their diffusers / HF key names: norm1, group_norm, conv_norm_out, layer_norm1, pre_layrnorm, ... */
    private static boolean isNorm(String key) {
        String module = key.substring(0, key.lastIndexOf('.'));
        String last = module.substring(module.lastIndexOf('.') + 1);
        return last.contains("norm");
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
