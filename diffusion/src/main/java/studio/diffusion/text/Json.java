package studio.diffusion.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import studio.core.BadInputException;

/** Required-key reads of the config.json files of this package. */
final class Json {
    private Json() {}

    static int reqInt(JsonNode n, Path file, String key) {
        if (!n.hasNonNull(key) || !n.get(key).canConvertToInt()) {
            throw new BadInputException(file + ": " + key, "missing or not an integer");
        }
        return n.get(key).asInt();
    }
}
