package studio.eval.geneval;

import java.io.IOException;
import java.nio.file.Path;
import studio.captioner.Captioners;
import studio.core.BadInputException;

/**
 * {@code --detector} values: {@code world} (the tiny PanCaper's panoptic segments, {@link WorldDetector}),
 * {@code world:SPEC} (the same over any captioner {@link Captioners#open} knows, e.g. {@code world:oracle:DIR}
 * for a world's ground truth), or {@code detections:FILE} (a {@link DetectionsFile} computed elsewhere).
 */
public final class Detectors {
    public static final String WORLD = "world";
    public static final String DETECTIONS = "detections:";

    /** An open detection source, what reports call it, and the model to release. */
    public record Opened(DetectionSource source, String description, AutoCloseable resource) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (resource != null) {
                resource.close();
            }
        }
    }

    private Detectors() {}

    public static Opened open(String spec) throws IOException {
        if (spec.equals(WORLD) || spec.startsWith(WORLD + ":")) {
            String captioner = spec.equals(WORLD) ? Captioners.PANCAP_TINY : spec.substring(WORLD.length() + 1);
            WorldDetector detector = new WorldDetector(Captioners.open(captioner));
            return new Opened(DetectionSource.of(detector), detector.description(), detector);
        }
        if (spec.startsWith(DETECTIONS)) {
            Path file = Path.of(spec.substring(DETECTIONS.length()));
            return new Opened(DetectionsFile.read(file), "detections file " + file, null);
        }
        throw new BadInputException("--detector " + spec, "expected world, world:CAPTIONER (e.g. world:oracle:DIR) or detections:FILE");
    }
}
