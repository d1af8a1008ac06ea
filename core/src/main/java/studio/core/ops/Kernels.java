package studio.core.ops;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import studio.core.device.Precision;
import studio.core.device.Torch;

/**
 * Fused kernels DJL's JNI lacks (SDPA, tanh-GELU, group norm, RMS norm, bf16 casts), run as
 * methods of one TorchScript module the project builds itself (ARCHITECTURE.md decision 3).
 *
 * <p>The source is the resource {@code kernels.torchscript}; {@link TorchScriptArchive} wraps it in
 * an in-memory archive and libtorch compiles it at load time, once per device (lazy, thread-safe).
 * Results are attached to the manager of the first activation argument, so that they live in the
 * caller's scope (STYLE.md pitfall 1). Every {@link IValue} made here is closed before returning.
 *
 * <p>Autograd: methods run through {@link ScriptMethods}, which leaves grad mode to the calling
 * thread, so inside a DJL {@code GradientCollector} the outputs carry libtorch's backward graph and
 * outside it they record nothing, like DJL's own ops. ({@code IValueUtils.runMethod} would run them
 * in inference mode with no gradients.) Tested in {@code KernelGradientTest}.
 *
 * <p>Library users normally call {@link Ops}; use this class directly for bf16/f16 handling.
 */
public final class Kernels {

    static final String SOURCE_RESOURCE = "kernels.torchscript";
    static final String CLASS_NAME = "Kernels";

    private static final ConcurrentHashMap<Device, Kernels> BY_DEVICE = new ConcurrentHashMap<>();
    /** IValues created minus IValues closed, process-wide; tests assert it returns to its start. */
    private static final AtomicLong LIVE_IVALUES = new AtomicLong();

    private final Device device;
    private final PtSymbolBlock module;

    private Kernels(Device device, PtSymbolBlock module) {
        this.device = device;
        this.module = module;
    }

    /** The kernel module on {@code device}, built and loaded on first use. */
    public static Kernels on(Device device) {
        return BY_DEVICE.computeIfAbsent(device, Kernels::load);
    }

    /** The kernel module on the device of {@code x}. */
    public static Kernels of(NDArray x) {
        return on(x.getDevice());
    }

    public Device device() {
        return device;
    }

    private static Kernels load(Device device) {
        byte[] archive = TorchScriptArchive.build("kernels", CLASS_NAME, source());
        // The module's manager lives as long as the process: one small module per device.
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager(device, Torch.engine().getEngineName());
        try (InputStream in = new ByteArrayInputStream(archive)) {
            PtSymbolBlock module = JniUtils.loadModule(manager, in, true, false);
            return new Kernels(device, module);
        } catch (IOException e) {
            throw new UncheckedIOException("loading the kernel module on " + device, e);
        }
    }

    /** The TorchScript source of the kernel module (the resource {@value #SOURCE_RESOURCE}). */
    public static String source() {
        try (InputStream in = Kernels.class.getResourceAsStream(SOURCE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource missing: studio/core/ops/" + SOURCE_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- attention ------------------------------------------------------------------------

    /** softmax(q·kᵀ·scale)·v, scale = 1/√D. q [B, H, Lq, D], k and v [B, H, Lk, D] → [B, H, Lq, D]. */
    public NDArray attention(NDArray q, NDArray k, NDArray v) {
        return attention(q, k, v, null, defaultScale(q));
    }

    /**
     * Scaled dot-product attention ({@code torch.scaled_dot_product_attention}).
     *
     * @param mask null, or broadcastable to [B, H, Lq, Lk]: boolean (true = may attend) or
     *     additive float (added to the scores, -inf blocks)
     * @param scale factor applied to q·kᵀ (T5 uses 1, most models 1/√D)
     */
    public NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask, double scale) {
        return mask == null
                ? call("attention", q, q, k, v, scale)
                : call("attention_masked", q, q, k, v, mask, scale);
    }

    static double defaultScale(NDArray q) {
        return 1.0 / Math.sqrt(q.getShape().get(q.getShape().dimension() - 1));
    }

    // ---- normalisation --------------------------------------------------------------------

    /** x / √(mean(x², last axis) + eps) · weight; weight [D] or null. x [..., D]. */
    public NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        return weight == null ? call("rms_norm", x, x, eps) : call("rms_norm_weighted", x, x, weight, eps);
    }

    /** LayerNorm over the last axis without affine parameters. x [..., D]. */
    public NDArray layerNorm(NDArray x, double eps) {
        return call("layer_norm", x, x, eps);
    }

    /** LN(x)·(1 + scale) + shift, the SD3 AdaLN step. x [B, L, D], shift and scale [B, D]. */
    public NDArray layerNormModulate(NDArray x, NDArray shift, NDArray scale, double eps) {
        return call("layer_norm_modulate", x, x, shift, scale, eps);
    }

    /** x·(1 + scale) + shift. x [B, L, D], shift and scale [B, D]. */
    public NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
        return call("modulate", x, x, shift, scale);
    }

    /** x + gate·y, the SD3 gated residual. x and y [B, L, D], gate [B, D]. */
    public NDArray addGated(NDArray x, NDArray gate, NDArray y) {
        return call("add_gated", x, x, gate, y);
    }

    /** GroupNorm over [B, C, ...] with per-channel weight and bias [C]. */
    public NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
        return call("group_norm", x, x, (long) groups, weight, bias, eps);
    }

    // ---- activations ----------------------------------------------------------------------

    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), "gelu_new" / "gelu-approximate". */
    public NDArray geluTanh(NDArray x) {
        return call("gelu_tanh", x, x);
    }

    /** x·sigmoid(1.702·x), CLIP-L's "quick_gelu". */
    public NDArray quickGelu(NDArray x) {
        return call("quick_gelu", x, x);
    }

    /** x·sigmoid(x). */
    public NDArray silu(NDArray x) {
        return call("silu", x, x);
    }

    // ---- dtypes ---------------------------------------------------------------------------

    /** Casts to {@code precision} (never through DJL's DataType, which aborts on bf16). */
    public NDArray cast(NDArray x, Precision precision) {
        return call("to_dtype", x, x, (long) precision.scalarTypeCode());
    }

    /** libtorch's c10::ScalarType code of x (DJL reports bf16 as UNKNOWN; this does not). */
    public long scalarTypeCode(NDArray x) {
        IValue[] inputs = {track(IValue.from(pt(x)))};
        try {
            IValue[] result = {track(ScriptMethods.run(module, "dtype_code", inputs))};
            try {
                return result[0].toLong();
            } finally {
                release(result);
            }
        } finally {
            release(inputs);
        }
    }

    /** F32, F16 or BF16 for floating tensors of those types, null for anything else. */
    public Precision precisionOf(NDArray x) {
        return Precision.fromScalarTypeCode(scalarTypeCode(x));
    }

    /**
     * A tensor of {@code precision} and {@code shape} decoded from raw little-endian bytes (the
     * route for bf16 weights read from safetensors; DJL cannot create bf16 itself). The data is
     * copied: the result owns its storage and lives in {@code manager}, and {@code data} may be
     * unmapped or reused afterwards.
     */
    public NDArray fromBytes(NDManager manager, ByteBuffer data, Precision precision, Shape shape) {
        // DJL wraps a direct buffer without copying (torchFromBlob); view_copy copies it out.
        // (TorchScript exposes Tensor.view(dtype) only as view_copy.dtype, checked on libtorch 2.7.1.)
        try (NDArray raw = manager.create(data.slice(), new Shape(data.remaining()), DataType.UINT8)) {
            checkByteCount(raw, precision, shape);
            return call("from_bytes", raw, raw, (long) precision.scalarTypeCode(), shape.getShape());
        }
    }

    private static void checkByteCount(NDArray bytes, Precision precision, Shape shape) {
        if (bytes.getDataType() != DataType.UINT8) {
            throw new IllegalArgumentException("raw bytes must be uint8, got " + bytes.getDataType());
        }
        long expected = shape.size() * precision.bytesPerElement();
        if (bytes.size() != expected) {
            throw new IllegalArgumentException(bytes.size() + " bytes cannot hold " + precision + " "
                    + shape + " (" + expected + " bytes)");
        }
    }

    // ---- plumbing -------------------------------------------------------------------------

    /**
     * Runs {@code method} with {@code args} (NDArray, Long, Double, Boolean, String or long[]) and
     * returns its tensor result in {@code owner}'s manager. Closes every IValue it made.
     */
    private NDArray call(String method, NDArray owner, Object... args) {
        IValue[] inputs = new IValue[args.length];
        try {
            for (int i = 0; i < args.length; i++) {
                inputs[i] = track(toIValue(args[i]));
            }
            IValue[] result = {track(ScriptMethods.run(module, method, inputs))};
            try {
                return result[0].toTensor(ptManager(owner));
            } finally {
                release(result);
            }
        } finally {
            release(inputs);
        }
    }

    private static IValue toIValue(Object arg) {
        if (arg instanceof NDArray) {
            return IValue.from(pt((NDArray) arg));
        } else if (arg instanceof Long) {
            return IValue.from((long) (Long) arg);
        } else if (arg instanceof Double) {
            return IValue.from((double) (Double) arg);
        } else if (arg instanceof Boolean) {
            return IValue.from((boolean) (Boolean) arg);
        } else if (arg instanceof String) {
            return IValue.from((String) arg);
        } else if (arg instanceof long[]) {
            return IValue.listFrom((long[]) arg);
        }
        throw new IllegalArgumentException("unsupported kernel argument " + arg.getClass());
    }

    private static PtNDArray pt(NDArray x) {
        if (!(x instanceof PtNDArray)) {
            throw new IllegalArgumentException("kernels need PyTorch-engine arrays, got " + x.getClass());
        }
        return (PtNDArray) x;
    }

    private static PtNDManager ptManager(NDArray x) {
        return pt(x).getManager();
    }

    private static IValue track(IValue v) {
        LIVE_IVALUES.incrementAndGet();
        return v;
    }

    private static void release(IValue[] values) {
        for (IValue v : values) {
            if (v != null) {
                v.close();
                LIVE_IVALUES.decrementAndGet();
            }
        }
    }

    /** IValues made by kernel calls and not yet closed (0 between calls; for leak tests). */
    static long liveIValues() {
        return LIVE_IVALUES.get();
    }
}
