package studio.eval.fid;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.core.BadInputException;

/**
 * Features on disk, keyed by what they depend on, so a reference set (50K COCO images through Inception) is
 * computed once. The key is SHA-256 over the extractor's {@link FeatureExtractor#name()} and
 * {@link FeatureExtractor#resizeFilter()} and the sorted SHA-256 of every image file's bytes: renaming or
 * reordering images reuses the entry, changing one pixel or the extractor does not. Rows are stored in the
 * order of the sorted image hashes (statistics do not depend on row order).
 * Entries are {@code <dir>/<key>.safetensors} with the extractor, filter and image count in the metadata.
 */
public final class FeatureCache {
    private final Path dir;

    public FeatureCache(Path dir) {
        this.dir = dir;
    }

    /** The cached features of these images, computing and storing them first if absent. */
    public FeatureMatrix features(FeatureExtractor extractor, List<Path> images) throws IOException {
        Map<String, Path> byHash = hashesSorted(images);
        Path entry = dir.resolve(key(extractor, byHash.keySet()) + ".safetensors");
        if (Files.isRegularFile(entry)) {
            return FeatureFiles.read(entry);
        }
        FeatureMatrix features = extractor.extract(new ArrayList<>(byHash.values()));
        if (features.rows() != images.size() || features.cols() != extractor.dim()) {
            throw new IllegalStateException(extractor.name() + " returned [" + features.rows() + ", " + features.cols()
                    + "] for " + images.size() + " images of dim " + extractor.dim());
        }
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, "partial-", ".safetensors");
        FeatureFiles.write(partial, features, Map.of("extractor", extractor.name(),
                "resize_filter", extractor.resizeFilter(), "images", Integer.toString(images.size())));
        Files.move(partial, entry, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        return features;
    }

    static String key(FeatureExtractor extractor, Iterable<String> sortedImageHashes) {
        MessageDigest sha = sha256();
        update(sha, "extractor=" + extractor.name() + "\n");
        update(sha, "resize=" + extractor.resizeFilter() + "\n");
        for (String hash : sortedImageHashes) {
            update(sha, hash + "\n");
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Content hash → image, sorted by hash; duplicate files are kept once each time they appear. */
    private static Map<String, Path> hashesSorted(List<Path> images) throws IOException {
        List<String[]> pairs = new ArrayList<>();
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new BadInputException(image.toString(), "no such image");
            }
            pairs.add(new String[] {fileHash(image), image.toString()});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        Map<String, Path> sorted = new LinkedHashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            // Identical files get distinct keys (#index), so N images always give N rows.
            String hash = pairs.get(i)[0];
            String unique = sorted.containsKey(hash) ? hash + "#" + i : hash;
            sorted.put(unique, Path.of(pairs.get(i)[1]));
        }
        return sorted;
    }

    static String fileHash(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void update(MessageDigest sha, String text) {
        sha.update(text.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
