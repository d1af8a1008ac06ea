package studio.eval.features;

import java.util.Locale;
import studio.core.BadInputException;

/**
 * How images reach the network's input size (EVAL.md §2, §6.2: FD values move with the resize, so reports name it).
 * {@link #LEGACY} is each extractor's reference preprocessing, {@link #CLEAN} clean-fid's proposal (Parmar et al.,
 * CVPR 2022): PIL bicubic in float, antialiased, no 8-bit rounding; each extractor documents both.
 */
public enum ResizeMode {
    /** The reference implementation's own resize: pytorch-fid's bilinear, dgm-eval's and CLIP's PIL 8-bit bicubic. */
    LEGACY("legacy"),
    /** PIL bicubic per channel in float ('F' mode), clipped to [0, 255]: clean-fid "clean", dgm-eval --clean_resize. */
    CLEAN("clean");

    private final String cliName;

    ResizeMode(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static ResizeMode parse(String name) {
        for (ResizeMode m : values()) {
            if (m.cliName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new BadInputException("--resize", "expected legacy or clean, got '" + name + "'");
    }
}
