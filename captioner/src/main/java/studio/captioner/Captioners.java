package studio.captioner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import studio.core.BadInputException;

/**
 * Resolves a {@code --model} value to a {@link Captioner}. Known kinds:
 * <ul>
 *   <li>{@code oracle:DIR} — the ground-truth captioner over the PanCap-format dataset in DIR.</li>
 * </ul>
 * A learned captioner (the tiny PanCaper, an external VLM) is added here as one more kind; the check,
 * the metrics and the CLI stay as they are.
 */
public final class Captioners {
    public static final String ORACLE = "oracle:";

    private Captioners() {}

    public static Captioner open(String spec) throws IOException {
        if (spec.startsWith(ORACLE)) {
            Path dir = Path.of(spec.substring(ORACLE.length()));
            if (!Files.isRegularFile(dir.resolve("panoptic.json"))) {
                throw new BadInputException("--model " + spec, "no panoptic.json in " + dir);
            }
            return OracleCaptioner.open(dir);
        }
        throw new BadInputException("--model " + spec, "unknown captioner; available: oracle:DIR (a PanCap-format dataset)");
    }
}
