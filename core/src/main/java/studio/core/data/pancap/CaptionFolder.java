package studio.core.data.pancap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import studio.core.BadInputException;

/**
 * COCONut-PanCap captions as a folder of {@code <12-digit COCO id>.txt} files (the 50K release,
 * EVAL.md §3.2; the world writes the same). The text is kept exactly as stored, so writing it back
 * gives the same bytes.
 */
public final class CaptionFolder implements CaptionSource {
    private static final Pattern NAME = Pattern.compile("\\d{12}\\.txt");
    /** A PanCap caption is ~200 words; anything past this is not a caption. */
    static final long MAX_CAPTION_BYTES = 1 << 20;

    private final Path dir;
    private final String label;

    public CaptionFolder(Path dir, String label) {
        this.dir = dir;
        this.label = label;
    }

    public static String fileName(long imageId) {
        return String.format(Locale.ROOT, "%012d.txt", imageId);
    }

    @Override
    public Optional<String> caption(long imageId) {
        Path file = dir.resolve(fileName(imageId));
        try {
            if (Files.size(file) > MAX_CAPTION_BYTES) {
                throw new BadInputException(describe(imageId), "caption file larger than " + MAX_CAPTION_BYTES + " bytes");
            }
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (java.nio.charset.MalformedInputException e) {
            throw new BadInputException(describe(imageId), "not UTF-8 text");
        } catch (IOException e) {
            throw new BadInputException(describe(imageId), "cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public String describe(long imageId) {
        return label + "/" + fileName(imageId);
    }

    @Override
    public List<Long> imageIds() {
        List<Long> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> NAME.matcher(n).matches()).sorted()
                    .forEach(n -> ids.add(Long.parseLong(n.substring(0, 12))));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ids;
    }

    /** Writes one caption file, text as given (no newline added). */
    public static void write(Path dir, long imageId, String caption) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(fileName(imageId)), caption, StandardCharsets.UTF_8);
    }
}
