package studio.eval.geneval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import studio.core.BadInputException;
import studio.core.io.AtomicFiles;
import studio.core.data.geneval.GenevalPromptFile;
import studio.core.data.geneval.GenevalPromptLine;

/**
 * The official GenEval image folder (geneval README "Generation"; EVAL.md §1.2):
 * <pre>
 * OUT/00000/metadata.jsonl   the prompt's metadata line, one JSON object (read with json.load)
 * OUT/00000/grid.png         optional
 * OUT/00000/samples/0000.png one file per image
 * </pre>
 * Reading follows {@code evaluate_images.py::main}: every subfolder whose name is all digits, every regular
 * file in its {@code samples/} that {@code re.match(r"\d+\.png", name)} accepts (a prefix match, so
 * {@code 0000.png.bak} counts too, as it does officially). We visit folders and files in name order; the
 * official {@code os.listdir} order is arbitrary, which changes only the order of results.jsonl lines.
 */
public final class Layout {
    public static final String METADATA = "metadata.jsonl";
    public static final String SAMPLES = "samples";
    public static final String GRID = "grid.png";
    private static final Pattern SAMPLE_NAME = Pattern.compile("\\d+\\.png");

    /** One prompt folder: its metadata and its images in name order. */
    public record PromptImages(Path folder, GenevalPromptLine metadata, List<Path> images) {}

    private Layout() {}

    public static Path promptFolder(Path out, int promptIndex) {
        return out.resolve(String.format(Locale.ROOT, "%05d", promptIndex));
    }

    /** {@code OUT/%05d/samples/%04d.png}, the README's naming (the reference generator writes %05d; both are read). */
    public static Path samplePath(Path out, int promptIndex, int sample) {
        return promptFolder(out, promptIndex).resolve(SAMPLES).resolve(String.format(Locale.ROOT, "%04d.png", sample));
    }

    /** Writes {@code metadata.jsonl} as {@code json.dump(metadata, fp)} does (no trailing newline; atomically) and makes {@code samples/}. */
    public static Path writeMetadata(Path out, GenevalPromptLine prompt) throws IOException {
        Path folder = promptFolder(out, prompt.index());
        Files.createDirectories(folder.resolve(SAMPLES));
        AtomicFiles.write(folder.resolve(METADATA), prompt.json().getBytes(StandardCharsets.UTF_8));
        return folder;
    }

    /** Every prompt folder under {@code out} with its images, as the official evaluator finds them. */
    public static List<PromptImages> scan(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            throw new BadInputException(out.toString(), "no such image folder");
        }
        List<PromptImages> prompts = new ArrayList<>();
        for (Path folder : sortedEntries(out)) {
            String name = folder.getFileName().toString();
            if (!Files.isDirectory(folder) || name.isEmpty() || !name.chars().allMatch(Character::isDigit)) {
                continue;
            }
            Path metadata = folder.resolve(METADATA);
            if (!Files.isRegularFile(metadata)) {
                throw new BadInputException(metadata.toString(), "missing; each prompt folder needs its metadata");
            }
            GenevalPromptLine prompt = GenevalPromptFile.parseLine(Files.readString(metadata, StandardCharsets.UTF_8),
                    folderIndex(folder), metadata.toString());
            Path samples = folder.resolve(SAMPLES);
            if (!Files.isDirectory(samples)) {
                throw new BadInputException(samples.toString(), "missing samples folder");
            }
            List<Path> images = sortedEntries(samples).stream()
                    .filter(p -> Files.isRegularFile(p) && SAMPLE_NAME.matcher(p.getFileName().toString()).lookingAt())
                    .toList();
            prompts.add(new PromptImages(folder, prompt, images));
        }
        if (prompts.isEmpty()) {
            throw new BadInputException(out.toString(), "no prompt folders (00000/, 00001/, ...) in the image folder");
        }
        return prompts;
    }

    private static int folderIndex(Path folder) {
        try {
            return Integer.parseInt(folder.getFileName().toString());
        } catch (NumberFormatException e) {
            throw new BadInputException(folder.toString(), "prompt folder number is too large");
        }
    }

    private static List<Path> sortedEntries(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        }
    }
}
