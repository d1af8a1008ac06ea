package studio.core.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.ops.Kernels;
import studio.core.safetensors.DType;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.TensorInfo;

/**
 * A name-keyed view of a checkpoint, as model code sees it (ARCHITECTURE.md decision 2, candle's
 * {@code vb.pp(...)}): {@code w.pp("transformer_blocks.3").pp("attn").get("to_q.weight", 1536, 1536)}.
 *
 * <p>Every tensor is converted on load to the compute precision and placed on the manager's device.
 * Floating tensors (F32, F16, BF16, F64) go through {@link Kernels#fromBytes} and {@link Kernels#cast}:
 * never through DJL's {@code DataType} for bf16, which aborts the JVM (decision 3). Integer and bool
 * tensors keep their type. Loaded arrays are copies: nothing aliases the read-only file mapping, so
 * in-place updates (a merged LoRA) are safe.
 *
 * <p>Loading is strict (STYLE.md lesson 4). A key asked for with its expected shape that is missing
 * or mis-shaped is recorded and answered with zeros of the expected shape, so that one load collects
 * every problem; {@link #requireComplete()} then throws one error listing them all. Keys nothing
 * asked for are reported as unused. Not thread-safe: the device worker thread owns it.
 */
public final class Weights {
    private static final Logger LOG = LoggerFactory.getLogger(Weights.class);

    /** State shared by all views of one checkpoint. */
    private static final class Checkpoint {
        final SafeTensors file;
        final NDManager manager;
        final Precision precision;
        final Set<String> consumed = new LinkedHashSet<>();
        final List<String> missing = new ArrayList<>();
        final List<String> misShaped = new ArrayList<>();
        final List<Pattern> ignoredUnused = new ArrayList<>();

        Checkpoint(SafeTensors file, NDManager manager, Precision precision) {
            this.file = file;
            this.manager = manager;
            this.precision = precision;
        }
    }

    private final Checkpoint checkpoint;
    private final String prefix;

    private Weights(Checkpoint checkpoint, String prefix) {
        this.checkpoint = checkpoint;
        this.prefix = prefix;
    }

    /**
     * A root view of {@code file}. Tensors are created in {@code manager} (whose device they land on)
     * in {@code precision}. The caller keeps {@code file} open while loading and closes it afterwards;
     * loaded arrays do not depend on it.
     */
    public static Weights of(SafeTensors file, NDManager manager, Precision precision) {
        return new Weights(new Checkpoint(file, manager, precision), "");
    }

    /** The view under {@code name}: {@code pp("a").pp("b").get("c")} reads key {@code a.b.c}. */
    public Weights pp(String name) {
        return new Weights(checkpoint, key(name));
    }

    /** {@code pp(name + "." + index)}, for lists such as {@code transformer_blocks.3}. */
    public Weights pp(String name, int index) {
        return pp(name + "." + index);
    }

    public String prefix() {
        return prefix;
    }

    public Precision precision() {
        return checkpoint.precision;
    }

    public NDManager manager() {
        return checkpoint.manager;
    }

    /** Whether the checkpoint holds {@code name} under this view (for variants detected by key). */
    public boolean contains(String name) {
        return checkpoint.file.contains(key(name));
    }

    /** The stored shape of {@code name}, or null when absent. */
    public long[] storedShape(String name) {
        String key = key(name);
        return checkpoint.file.contains(key) ? checkpoint.file.info(key).shape() : null;
    }

    /**
     * The tensor {@code name}, checked against {@code expectedShape}. A missing or mis-shaped key is
     * recorded for {@link #requireComplete()} and answered with zeros of {@code expectedShape}.
     */
    public NDArray get(String name, long... expectedShape) {
        return get(name, checkpoint.precision, expectedShape);
    }

    /**
     * As {@link #get(String, long...)} in a precision other than the view's (e.g. fp32 norms or LoRA
     * factors next to bf16 weights).
     */
    public NDArray get(String name, Precision precision, long... expectedShape) {
        String key = key(name);
        checkpoint.consumed.add(key);
        if (!checkpoint.file.contains(key)) {
            checkpoint.missing.add(key);
            return zeros(expectedShape, precision);
        }
        TensorInfo info = checkpoint.file.info(key);
        if (!Arrays.equals(info.shape(), expectedShape)) {
            checkpoint.misShaped.add(key + ": file " + Arrays.toString(info.shape())
                    + ", model " + Arrays.toString(expectedShape));
            return zeros(expectedShape, precision);
        }
        return load(info, precision);
    }

    /** The tensor {@code name} whatever its shape, or null when absent (optional keys). */
    public NDArray getIfPresent(String name) {
        String key = key(name);
        if (!checkpoint.file.contains(key)) {
            return null;
        }
        checkpoint.consumed.add(key);
        return load(checkpoint.file.info(key), checkpoint.precision);
    }

    /**
     * Marks file keys matching {@code regex} (a full match on the whole key) as expected to stay
     * unused, e.g. buffers a reference implementation saves but recomputes.
     */
    public Weights ignoreUnused(String regex) {
        checkpoint.ignoredUnused.add(Pattern.compile(regex));
        return this;
    }

    /** What the load found so far (over the whole checkpoint, whichever view asks). */
    public LoadReport report() {
        Set<String> unused = new TreeSet<>();
        for (TensorInfo info : checkpoint.file.tensors()) {
            String key = info.name();
            if (!checkpoint.consumed.contains(key) && !ignored(key)) {
                unused.add(key);
            }
        }
        return new LoadReport(checkpoint.file.source().toString(), checkpoint.missing,
                checkpoint.misShaped, new ArrayList<>(unused));
    }

    /** Throws a {@link BadInputException} naming every missing and mis-shaped key; returns the report otherwise. */
    public LoadReport requireComplete() {
        LoadReport report = report();
        if (!report.complete()) {
            throw new BadInputException(report.source(), "does not fit the model: " + report.summary());
        }
        return report;
    }

    /**
     * {@link #requireComplete()}, then the unused keys in one warning line (STYLE.md lesson 4: fail on missing or
     * mis-shaped keys, list unused ones once). Model constructors end their load with it.
     */
    public LoadReport finishLoad() {
        LoadReport report = requireComplete();
        if (!report.unused().isEmpty()) {
            LOG.warn("{}: {} unused tensors: {}", report.source(), report.unused().size(), report.summary());
        }
        return report;
    }

    private boolean ignored(String key) {
        for (Pattern p : checkpoint.ignoredUnused) {
            if (p.matcher(key).matches()) {
                return true;
            }
        }
        return false;
    }

    private String key(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    private NDArray zeros(long[] shape, Precision precision) {
        NDArray z = checkpoint.manager.zeros(new Shape(shape), DataType.FLOAT32);
        if (precision == Precision.F32) {
            return z;
        }
        try (z) {
            return Kernels.of(z).cast(z, precision);
        }
    }

    private NDArray load(TensorInfo info, Precision precision) {
        ByteBuffer data = checkpoint.file.data(info.name());
        Shape shape = new Shape(info.shape());
        NDManager manager = checkpoint.manager;
        Precision stored = storedPrecision(info.dtype());
        if (stored != null) {
            NDArray raw = Kernels.on(manager.getDevice()).fromBytes(manager, data, stored, shape);
            return castIfNeeded(raw, stored, precision);
        }
        if (info.dtype() == DType.F64) {
            try (NDArray f64 = manager.create(data, shape, DataType.FLOAT64).duplicate()) {
                return castIfNeeded(f64.toType(DataType.FLOAT32, false), Precision.F32, precision);
            }
        }
        DataType integer = integerType(info);
        try (NDArray view = manager.create(data, shape, integer)) {
            // create() wraps a direct buffer without copying; duplicate() gives the array its own storage.
            return view.duplicate();
        }
    }

    private static NDArray castIfNeeded(NDArray x, Precision from, Precision to) {
        if (from == to) {
            return x;
        }
        try (x) {
            return Kernels.of(x).cast(x, to);
        }
    }

    private static Precision storedPrecision(DType dtype) {
        switch (dtype) {
            case F32: return Precision.F32;
            case F16: return Precision.F16;
            case BF16: return Precision.BF16;
            default: return null;
        }
    }

    private DataType integerType(TensorInfo info) {
        switch (info.dtype()) {
            case I64: return DataType.INT64;
            case I32: return DataType.INT32;
            case I8: return DataType.INT8;
            case U8: return DataType.UINT8;
            case BOOL: return DataType.BOOLEAN;
            default:
                throw new BadInputException(checkpoint.file.source() + ": tensor '" + info.name() + "'",
                        "dtype " + info.dtype() + " cannot be loaded as a model weight "
                                + "(supported: F32, F16, BF16, F64, I64, I32, I8, U8, BOOL)");
        }
    }
}
