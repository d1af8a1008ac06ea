package studio.eval.geneval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalPromptLine;

/**
 * A GenEval run in its output folder (the official layout, {@link Layout}): generate the missing images, then
 * detect, score with the official rules and write {@code results.jsonl}, {@code summary.json} and
 * {@code report.html}.
 *
 * <p><b>Resumable.</b> Every PNG is written atomically (a temporary file renamed over the target), so a sample
 * that exists is complete; a killed run leaves at most a {@code .NNNN.png.*.part.png} temporary, which the next
 * run deletes and which the official evaluator's {@code \d+\.png} never matches. The next run generates only the
 * missing samples. {@code run.json} records the settings that determine the pixels; a run with different ones is
 * refused rather than mixed into the folder, and each prompt folder's {@code metadata.jsonl} must be the prompt
 * the run has for that index.
 */
public final class GenevalRunner {
    /** Samples per prompt are at most this many, so {@link #seed} never repeats a seed within a run. */
    public static final int MAX_IMAGES_PER_PROMPT = 65_536;
    public static final String SEED_RULE = "seed + 65536 * prompt_index + sample_index";

    /** Makes one image for a prompt from a seed and writes it atomically to {@code png}. */
    @FunctionalInterface
    public interface SampleGenerator {
        void generate(GenevalPromptLine prompt, long seed, Path png) throws IOException;
    }

    /** Images made now, images already there, seconds spent generating. */
    public record Generated(int generated, int reused, double seconds) {}

    private GenevalRunner() {}

    /**
     * The seed of sample {@code sample} of prompt {@code promptIndex}: a function of both alone (not of the run's
     * size, order or interruptions), so an image is made again with {@code studio generate --seed} of it. The
     * reference script reseeds every prompt with the same seed; distinct seeds per prompt keep the prompts'
     * images independent.
     */
    public static long seed(long base, int promptIndex, int sample) {
        return base + (long) MAX_IMAGES_PER_PROMPT * promptIndex + sample;
    }

    /**
     * Checks {@code out} against {@code settings} (a fresh folder, or one made with the same generation settings)
     * and records them in {@code run.json}.
     */
    public static void prepare(Path out, GenevalReport.Settings settings) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException("--out " + out, "exists and is not a folder");
        }
        Files.createDirectories(out);
        Path run = out.resolve(GenevalReport.RUN);
        if (Files.isRegularFile(run)) {
            GenevalReport.Settings before = GenevalReport.readSettings(run).generationOnly();
            GenevalReport.Settings now = settings.generationOnly();
            if (!before.equals(now)) {
                throw new BadInputException(run.toString(), "this folder holds images made with other "
                        + String.join(", ", GenevalComparison.settingsDiffer(before, now)) + "; use another --out or the same settings");
            }
        } else if (hasPromptFolders(out)) {
            throw new BadInputException("--out " + out, "holds prompt folders but no " + GenevalReport.RUN
                    + ": not a folder this runner made; use an empty or new folder");
        }
        GenevalReport.writeSettings(run, settings);
    }

    private static boolean hasPromptFolders(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.anyMatch(p -> Files.isDirectory(p) && p.getFileName().toString().chars().allMatch(Character::isDigit));
        }
    }

    /**
     * Makes every missing {@code samples/NNNN.png} of {@code prompts} (N per prompt), prompt by prompt in order.
     * A prompt folder's metadata is written when absent and must equal the prompt when present.
     */
    public static Generated generate(Path out, List<GenevalPromptLine> prompts, int imagesPerPrompt, long baseSeed,
                                     SampleGenerator generator, Consumer<String> log) throws IOException {
        checkImagesPerPrompt(imagesPerPrompt);
        int total = prompts.size() * imagesPerPrompt;
        int generated = 0;
        int reused = 0;
        long t0 = System.nanoTime();
        for (GenevalPromptLine prompt : prompts) {
            Path folder = ensureMetadata(out, prompt);
            deleteTemporaries(folder.resolve(Layout.SAMPLES));
            for (int s = 0; s < imagesPerPrompt; s++) {
                Path png = Layout.samplePath(out, prompt.index(), s);
                if (Files.isRegularFile(png)) {
                    reused++;
                    continue;
                }
                long seed = seed(baseSeed, prompt.index(), s);
                long t1 = System.nanoTime();
                generator.generate(prompt, seed, png);
                generated++;
                log.accept(String.format(Locale.ROOT, "generated %d/%d %s (seed %d, %.1f s)", generated + reused, total,
                        out.relativize(png), seed, (System.nanoTime() - t1) / 1e9));
            }
        }
        return new Generated(generated, reused, (System.nanoTime() - t0) / 1e9);
    }

    static void checkImagesPerPrompt(int n) {
        if (n < 1 || n > MAX_IMAGES_PER_PROMPT) {
            throw new BadInputException("--images-per-prompt", "expected 1 to " + MAX_IMAGES_PER_PROMPT + ", got " + n);
        }
    }

    /** Writes the prompt folder's metadata.jsonl when absent; refuses a folder holding another prompt. */
    static Path ensureMetadata(Path out, GenevalPromptLine prompt) throws IOException {
        Path folder = Layout.promptFolder(out, prompt.index());
        Path metadata = folder.resolve(Layout.METADATA);
        if (Files.isRegularFile(metadata)) {
            String there = Files.readString(metadata, StandardCharsets.UTF_8);
            if (!there.equals(prompt.json())) {
                throw new BadInputException(metadata.toString(), "holds another prompt (" + there + ") than line "
                        + (prompt.index() + 1) + " of the prompt file (" + prompt.json() + "); use another --out");
            }
            Files.createDirectories(folder.resolve(Layout.SAMPLES));
            return folder;
        }
        return Layout.writeMetadata(out, prompt);
    }

    /** Leftovers of an interrupted atomic write ({@code AtomicFiles.tempSibling}: ".NAME.RANDOM.part.png"). */
    private static void deleteTemporaries(Path samples) throws IOException {
        try (Stream<Path> s = Files.list(samples)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".part.png")) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The run's images (first {@code imagesPerPrompt} samples of each prompt), as the scorer takes them. */
    public static List<Layout.PromptImages> images(Path out, List<GenevalPromptLine> prompts, int imagesPerPrompt) {
        List<Layout.PromptImages> all = new ArrayList<>();
        for (GenevalPromptLine prompt : prompts) {
            List<Path> images = new ArrayList<>();
            for (int s = 0; s < imagesPerPrompt; s++) {
                Path png = Layout.samplePath(out, prompt.index(), s);
                if (!Files.isRegularFile(png)) {
                    throw new BadInputException(png.toString(), "missing: generate before scoring");
                }
                images.add(png);
            }
            all.add(new Layout.PromptImages(Layout.promptFolder(out, prompt.index()), prompt, images));
        }
        return all;
    }

    /**
     * Scores {@code images} and writes {@code results.jsonl}, {@code summary.json} and {@code report.html} into
     * {@code out}; returns the summary. {@code settings} is asked after scoring (a lazily loaded model can then say
     * what it was).
     */
    public static GenevalReport evaluate(Path out, List<Layout.PromptImages> images, GenevalScorer scorer,
                                         Supplier<GenevalReport.Settings> settings, Generated generated,
                                         int failuresPerTask, Consumer<String> log) throws IOException {
        long t0 = System.nanoTime();
        List<ImageResult> results = scorer.score(images, (done, total) -> {
            if (done % 50 == 0 || done == total) {
                log.accept(String.format(Locale.ROOT, "scored %d/%d images (%.1f s)", done, total, (System.nanoTime() - t0) / 1e9));
            }
        });
        if (results.isEmpty()) {
            throw new BadInputException(out.toString(), "no images to score");
        }
        double scoreSeconds = (System.nanoTime() - t0) / 1e9;
        ResultsFile.write(out.resolve(GenevalReport.RESULTS), results);
        GenevalReport report = GenevalReport.of(Summary.of(results), settings.get(),
                new GenevalReport.Timing(generated.generated(), generated.reused(), generated.seconds(), scoreSeconds));
        report.write(out.resolve(GenevalReport.SUMMARY));
        ReportPages.writeRun(out.resolve(GenevalReport.REPORT), report, results, failuresPerTask);
        return report;
    }
}
