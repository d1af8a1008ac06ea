package studio.core.data.layout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import studio.core.data.Problems;

/**
 * The kohya-style layout users already have: a folder of images, each with a same-name {@code .txt}
 * caption ({@code cat.png} + {@code cat.txt}). Listed in name order; an image without a caption is a
 * problem naming the file.
 */
public final class KohyaFolder {
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp", "bmp");

    private KohyaFolder() {}

    public static List<CaptionedImage> read(Path dir, Problems problems) throws IOException {
        List<Path> images;
        try (Stream<Path> files = Files.list(dir)) {
            images = files.filter(Files::isRegularFile).filter(p -> IMAGE_EXTENSIONS.contains(extension(p))).sorted().toList();
        } catch (NoSuchFileException e) {
            problems.report(dir.toString(), 0, "no such directory");
            return List.of();
        }
        List<CaptionedImage> out = new ArrayList<>();
        for (Path image : images) {
            String stem = stem(image);
            Path caption = image.resolveSibling(stem + ".txt");
            try {
                out.add(new CaptionedImage(stem, image, Files.readString(caption, StandardCharsets.UTF_8)));
            } catch (NoSuchFileException e) {
                problems.report(caption.toString(), 0, "caption file for " + image.getFileName() + " is missing");
            } catch (IOException e) {
                problems.report(caption.toString(), 0, "cannot read caption: " + e.getMessage());
            }
        }
        return out;
    }

    /** Writes one pair: the image bytes as given and the caption text exactly (no newline added). */
    public static void write(Path dir, String stem, String extension, byte[] imageBytes, String caption) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(stem + "." + extension), imageBytes);
        Files.writeString(dir.resolve(stem + ".txt"), caption, StandardCharsets.UTF_8);
    }

    static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static String stem(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }
}
