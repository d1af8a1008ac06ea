package studio.core.device;

import ai.djl.Device;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import studio.core.BadInputException;

/** The one place that turns a {@code --device} string into a DJL {@link Device}. */
public final class Devices {

    private static final Pattern CUDA = Pattern.compile("cuda(?::(\\d{1,3}))?");

    private Devices() {}

    /**
     * Parses {@code cpu}, {@code cuda} (= {@code cuda:0}) or {@code cuda:N}.
     *
     * @param field what the value came from (e.g. "--device"), named in the error
     * @throws BadInputException for any other text, or for cuda when the PyTorch engine sees no GPU
     *     or fewer than N+1 GPUs (a CPU-only libtorch reports 0 GPUs; see {@link Torch})
     */
    public static Device parse(String value, String field) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("cpu")) {
            return Device.cpu();
        }
        Matcher m = CUDA.matcher(v);
        if (!m.matches()) {
            throw new BadInputException(field,
                    "unknown device '" + value + "', expected cpu, cuda or cuda:N");
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        int gpus = Torch.gpuCount();
        if (index >= gpus) {
            throw new BadInputException(field, "device '" + value + "' requested but the PyTorch engine "
                    + "(libtorch " + Torch.libtorchVersion() + ") reports " + gpus + " GPU(s); "
                    + "a CUDA libtorch is selected with PYTORCH_LIBRARY_PATH/PYTORCH_FLAVOR");
        }
        return Device.gpu(index);
    }

    public static Device parse(String value) {
        return parse(value, "--device");
    }

    /** The inverse of {@link #parse}: "cpu" or "cuda:N". */
    public static String format(Device device) {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
    }
}
