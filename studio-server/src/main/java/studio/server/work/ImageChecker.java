package studio.server.work;

import java.nio.file.Path;
import java.util.Map;

/**
 * The closed-loop check of an image against its prompt (caption, segment, compare), run on the device worker.
 * Returns the report as JSON-ready values (per-entity present / missing / wrong, relations, F1s) and writes the
 * segment overlay to {@code overlayPng}.
 */
public interface ImageChecker {
    Map<String, Object> check(Path image, String prompt, String captionerSpec, Path overlayPng) throws Exception;
}
