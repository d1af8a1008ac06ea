package studio.core.ops;

import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Calls a named method of a TorchScript module so that it behaves like any other DJL op: it records
 * autograd exactly when the calling thread's grad mode is on.
 *
 * <p>Why not {@code IValueUtils.runMethod}: in DJL 0.35.1 it passes {@code isTrain = false} to the
 * JNI {@code PyTorchLibrary.moduleRunMethod}, which then runs the method under DJL's JIT guard
 * (c10::InferenceMode). Checked here: inside a {@code GradientCollector} the outputs then carry no
 * backward graph ("element 0 of tensors does not require grad"), and they are inference tensors,
 * so using them later in a graph fails ("Inference tensors cannot be saved for backward"). With
 * {@code isTrain = true} no guard is installed: {@code torch.is_grad_enabled()} inside the method
 * equals the thread's grad mode, and gradients match the composites (KernelGradientTest).
 * {@code moduleRunMethod} and the {@code IValue(long)} constructor are package-private, so they are
 * looked up once by reflection (works on the class path, where DJL is an unnamed module).
 */
final class ScriptMethods {

    private static final MethodHandle RUN_METHOD;
    private static final MethodHandle NEW_IVALUE;
    private static final Object LIB;
    /** The same switch DJL's IValueUtils reads. */
    private static final boolean SEPARATE_CUDA_STREAM = Boolean.getBoolean("ai.djl.pytorch.enable_cuda_stream");

    static {
        try {
            Class<?> library = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
            Field lib = library.getDeclaredField("LIB");
            lib.setAccessible(true);
            LIB = lib.get(null);
            Method run = library.getDeclaredMethod("moduleRunMethod",
                    long.class, String.class, long[].class, boolean.class, boolean.class);
            run.setAccessible(true);
            RUN_METHOD = MethodHandles.lookup().unreflect(run);
            Constructor<IValue> ctor = IValue.class.getDeclaredConstructor(long.class);
            ctor.setAccessible(true);
            NEW_IVALUE = MethodHandles.lookup().unreflectConstructor(ctor);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError(new IllegalStateException(
                    "DJL's PyTorchLibrary.moduleRunMethod(long, String, long[], boolean, boolean) "
                            + "is not reachable; this code is written against DJL 0.35.1", e));
        }
    }

    private ScriptMethods() {}

    /** Runs {@code method} on {@code module}; the caller closes the returned IValue and the inputs. */
    static IValue run(PtSymbolBlock module, String method, IValue... inputs) {
        long[] handles = new long[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            handles[i] = inputs[i].getHandle();
        }
        try {
            long out = (long) RUN_METHOD.invoke(LIB, module.getHandle().longValue(), method, handles,
                    true, SEPARATE_CUDA_STREAM);
            return (IValue) NEW_IVALUE.invoke(out);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling TorchScript method " + method, t);
        }
    }
}
