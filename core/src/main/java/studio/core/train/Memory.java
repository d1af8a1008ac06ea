package studio.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process memory from {@code /proc/self/status} (Linux): resident and peak resident set, in MiB (NaN elsewhere). */
public final class Memory {
    private Memory() {}

    /** VmRSS: resident memory now (Java heap + native libtorch allocations). */
    public static double rssMb() {
        return field("VmRSS:");
    }

    /** VmHWM: peak resident memory of the process so far. */
    public static double peakRssMb() {
        return field("VmHWM:");
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
