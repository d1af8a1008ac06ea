package studio.eval.features;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import studio.core.BadInputException;

/**
 * The images of a folder for feature extraction: every regular file under it, recursively, named {@code *.png},
 * {@code *.jpg} or {@code *.jpeg} (any case), hidden files and folders (a leading dot) skipped, in order of their
 * path relative to the folder ('/'-separated), so a set's row order does not depend on the file system.
 * A PanCap world keeps its id-map PNGs under {@code panoptic/}: point at its {@code images/} folder.
 */
public final class ImageFolder {
    private ImageFolder() {}

    public static List<Path> list(Path dir, String option) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(option + " " + dir, "no such folder");
        }
        List<Path> images;
        try (Stream<Path> s = Files.walk(dir)) {
            images = s.filter(p -> Files.isRegularFile(p) && isImageName(p) && !hidden(dir, p))
                    .sorted((a, b) -> relative(dir, a).compareTo(relative(dir, b))).toList();
        }
        if (images.isEmpty()) {
            throw new BadInputException(option + " " + dir, "no PNG or JPEG images in this folder (searched recursively)");
        }
        return images;
    }

    static boolean isImageName(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
    }

    private static boolean hidden(Path dir, Path p) {
        for (Path part : dir.relativize(p)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** The '/'-separated path of {@code p} under {@code dir}. */
    public static String relative(Path dir, Path p) {
        return dir.relativize(p).toString().replace('\\', '/');
    }
}
