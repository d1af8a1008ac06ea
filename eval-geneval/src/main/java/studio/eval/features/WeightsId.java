package studio.eval.features;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import studio.core.BadInputException;

/**
 * What identifies a set of weights in an extractor's name (and so in the feature-cache key): the first 16 hex
 * digits of SHA-256 over the weight files' bytes — a file, or a folder's {@code config.json} and
 * {@code *.safetensors} in name order — so retrained or swapped weights never reuse cached features.
 */
public final class WeightsId {
    private WeightsId() {}

    public static String of(Path weights) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(weights)) {
            try (Stream<Path> s = Files.list(weights)) {
                s.filter(p -> Files.isRegularFile(p) && (p.getFileName().toString().equals("config.json")
                        || p.getFileName().toString().endsWith(".safetensors"))).sorted().forEach(files::add);
            }
        } else if (Files.isRegularFile(weights)) {
            files.add(weights);
        }
        if (files.isEmpty()) {
            throw new BadInputException(weights.toString(), "no weights here (expected a .safetensors file or a folder "
                    + "with config.json and model.safetensors)");
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 20];
        for (Path f : files) {
            sha.update(f.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }
}
