package studio.captioner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import studio.captioner.pancap.PancapCaptioner;
import studio.core.BadInputException;
import studio.core.Installation;

/**
 * Resolves a {@code --model} value to a {@link Captioner}. Known kinds:
 * <ul>
 *   <li>{@code oracle:DIR} — the ground-truth captioner over the PanCap-format dataset in DIR.</li>
 *   <li>{@code pancap-tiny} — the tiny PanCaper committed under {@code models/pancap-tiny/captioner/}
 *       (resolved against the working directory).</li>
 *   <li>{@code pancap:DIR} — a tiny PanCaper model folder (config.json + model.safetensors), e.g. a
 *       training run's {@code model/}.</li>
 * </ul>
 * A learned captioner (the tiny PanCaper, an external VLM) is added here as one more kind; the check,
 * the metrics and the CLI stay as they are.
 */
public final class Captioners {
    public static final String ORACLE = "oracle:";
    public static final String PANCAP_TINY = "pancap-tiny";
    public static final String PANCAP = "pancap:";
    /** Where {@code pancap-tiny} lives, relative to the studio installation ({@link Installation#root()}). */
    public static final Path PANCAP_TINY_DIR = Path.of("models", "pancap-tiny", "captioner");

    private Captioners() {}

    public static Captioner open(String spec) throws IOException {
        if (spec.startsWith(ORACLE)) {
            Path dir = Path.of(spec.substring(ORACLE.length()));
            if (!Files.isRegularFile(dir.resolve("panoptic.json"))) {
                throw new BadInputException("--model " + spec, "no panoptic.json in " + dir);
            }
            return OracleCaptioner.open(dir);
        }
        if (spec.equals(PANCAP_TINY)) {
            return PancapCaptioner.open(PANCAP_TINY, Installation.root().resolve(PANCAP_TINY_DIR));
        }
        if (spec.startsWith(PANCAP)) {
            return PancapCaptioner.open(spec, Path.of(spec.substring(PANCAP.length())));
        }
        throw new BadInputException("--model " + spec, "unknown captioner; available: oracle:DIR (a PanCap-format dataset), "
                + "pancap-tiny, pancap:DIR (a pancap-tiny model folder)");
    }
}
