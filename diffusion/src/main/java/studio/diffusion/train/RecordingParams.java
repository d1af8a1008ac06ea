package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import studio.core.device.Precision;
import studio.diffusion.nn.Params;

/**
 * A {@link Params} that records every tensor it hands out under its full checkpoint key, so a model built
 * from it exposes all its parameters for full-parameter training and saving in diffusers keys.
 */
final class RecordingParams implements Params {
    private final Params inner;
    private final Map<String, NDArray> record;

    RecordingParams(Params inner, Map<String, NDArray> record) {
        this.inner = inner;
        this.record = record;
    }

    @Override
    public Params pp(String name) {
        return new RecordingParams(inner.pp(name), record);
    }

    @Override
    public String prefix() {
        return inner.prefix();
    }

    @Override
    public NDArray get(String name, long... shape) {
        NDArray x = inner.get(name, shape);
        record.put(prefix().isEmpty() ? name : prefix() + "." + name, x);
        return x;
    }

    @Override
    public boolean contains(String name) {
        return inner.contains(name);
    }

    @Override
    public long[] storedShape(String name) {
        return inner.storedShape(name);
    }

    @Override
    public Precision precision() {
        return inner.precision();
    }

    @Override
    public NDManager manager() {
        return inner.manager();
    }
}
