package studio.diffusion.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import studio.core.BadInputException;

/** One {@code --lora FILE[:SCALE]}: a LoRA file and its user multiplier (SD3.md §5.2). */
public record LoraSpec(Path file, float scale) {

    /** Parses FILE or FILE:SCALE (a ':' whose tail is not a number belongs to the path). */
    public static LoraSpec parse(String spec) {
        String file = spec;
        float scale = 1f;
        int colon = spec.lastIndexOf(':');
        if (colon > 0) {
            try {
                scale = Float.parseFloat(spec.substring(colon + 1));
                file = spec.substring(0, colon);
            } catch (NumberFormatException e) {
                file = spec;
            }
        }
        if (!Float.isFinite(scale)) {
            throw new BadInputException("--lora " + spec, "scale must be finite");
        }
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new BadInputException("--lora " + spec, "no such file");
        }
        return new LoraSpec(p, scale);
    }

    /** SHA-256 of the file, hex: stored with every image so the exact LoRA can be found again. */
    public String sha256() throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file name without .safetensors, as A1111 names LoRAs. */
    public String name() {
        String n = file.getFileName().toString();
        return n.endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
    }
}
