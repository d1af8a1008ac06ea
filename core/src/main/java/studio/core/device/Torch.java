package studio.core.device;

import ai.djl.engine.Engine;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Initialises DJL's PyTorch engine and reports what was loaded.
 *
 * <p>Offline by default: with api/pytorch-engine 0.35.1, pytorch-jni 2.7.1-0.35.1 and
 * pytorch-native-cpu 2.7.1 on the classpath DJL extracts libtorch from the jar and never needs the
 * network (ARCHITECTURE.md decision 1). {@code ai.djl.offline} is set to true unless the caller set
 * it explicitly before the first call.
 */
public final class Torch {

    public static final String ENGINE_NAME = "PyTorch";

    private Torch() {}

    /** The PyTorch engine, loaded once (thread-safe: DJL's Engine registry is synchronised). */
    public static Engine engine() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine(ENGINE_NAME);
    }

    public static String libtorchVersion() {
        return engine().getVersion();
    }

    public static String djlVersion() {
        return Engine.getDjlVersion();
    }

    public static int gpuCount() {
        return engine().getGpuCount();
    }

    /** Versions for logs and bench output: djl, libtorch, gpus, offline flag. */
    public static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("djl", djlVersion());
        v.put("libtorch", libtorchVersion());
        v.put("gpus", Integer.toString(gpuCount()));
        v.put("offline", System.getProperty("ai.djl.offline"));
        return v;
    }
}
