package studio.core.safetensors;

import java.nio.file.Path;
import studio.core.BadInputException;

/**
 * A safetensors file, index or folder that does not follow the format (SD3.md section 6). The
 * message is one line: the file, then what is wrong with it.
 */
public class SafetensorsFormatException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public SafetensorsFormatException(Path file, String problem) {
        super(String.valueOf(file), problem);
    }

    public SafetensorsFormatException(Path file, String problem, Throwable cause) {
        super(String.valueOf(file), problem, cause);
    }
}
