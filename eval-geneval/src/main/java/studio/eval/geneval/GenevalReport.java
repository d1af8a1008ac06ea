package studio.eval.geneval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import studio.core.BadInputException;
import studio.core.io.AtomicFiles;

/**
 * The schema of a GenEval run's {@code summary.json} (and, without scores, of its {@code run.json}): the one
 * place it is defined. JSON keys are these components' names in snake_case (the records carry the naming, so any
 * Jackson mapper writes the same keys); absent values are omitted.
 *
 * <pre>
 * {"schema": "pancap-studio/geneval-summary/1",
 *  "overall": 0.61,                         mean of the task scores (summary_scores.py)
 *  "tasks": [{"tag": "single_object", "score": 0.9, "correct": 72, "images": 80}, ...],   in first-appearance order
 *  "images": 2212, "prompts": 553,
 *  "correct_images": 0.58, "correct_prompts": 0.77,   fractions; a prompt is correct when any of its images is
 *  "settings": {...},                       {@link Settings}
 *  "timing": {"generated": 12, "reused": 2200, "generate_seconds": 9.5, "score_seconds": 31.0}}
 * </pre>
 *
 * @param schema          {@link #SCHEMA}; a reader refuses other values
 * @param correctImages   fraction of correct images (summary_scores.py's "% correct images" / 100)
 * @param correctPrompts  fraction of prompts with at least one correct image
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenevalReport(String schema, double overall, List<Task> tasks, int images, int prompts,
                            double correctImages, double correctPrompts, Settings settings, Timing timing) {
    public static final String SCHEMA = "pancap-studio/geneval-summary/1";
    public static final String SUMMARY = "summary.json";
    public static final String RUN = "run.json";
    public static final String RESULTS = "results.jsonl";
    public static final String REPORT = "report.html";

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // newer writers may add fields

    /** One task row: the tag, its score (mean of correct over its images), and the counts behind it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Task(String tag, double score, int correct, int images) {}

    /**
     * What was evaluated and how: enough to make every image again and to tell two runs apart.
     *
     * @param source          {@code generated} (the runner made the images) or {@code world-truth} (real world
     *                        images paired with prompts true of them, {@link WorldTruth})
     * @param model           the model's name ({@code --model}); null for world-truth
     * @param modelPath       its folder
     * @param loras           LoRAs attached while generating, in order
     * @param prompts         the prompt file
     * @param promptsSha256   its SHA-256
     * @param promptsUsed     prompts evaluated ({@code --limit} or all)
     * @param seedRule        how each image's seed follows from {@code seed} ({@link GenevalRunner#seed})
     * @param detector        the detector, as it describes itself
     * @param colorClassifier the colour classifier, as it describes itself
     * @param rules           the rule options (official names: threshold, counting_threshold, ...)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Settings(String source, String model, String modelPath, List<Lora> loras, String prompts,
                           String promptsSha256, Integer promptsUsed, Integer imagesPerPrompt, Integer steps,
                           Double guidance, Integer width, Integer height, Long seed, String seedRule, String sampler,
                           Integer t5Length, String dtype, String device, String detector, String colorClassifier,
                           RuleOptions rules) {
        /** The settings without scoring choices: equal exactly when two runs' images are interchangeable. */
        public Settings generationOnly() {
            return new Settings(source, null, modelPath, loras, null, null, null, null, steps, guidance, width, height,
                    seed, seedRule, sampler, t5Length, dtype, device, null, null, null);
        }

        /** The same settings with the detector and colour classifier as they describe themselves. */
        public Settings withScoring(String newDetector, String newColorClassifier) {
            return new Settings(source, model, modelPath, loras, prompts, promptsSha256, promptsUsed, imagesPerPrompt,
                    steps, guidance, width, height, seed, seedRule, sampler, t5Length, dtype, device, newDetector,
                    newColorClassifier, rules);
        }

        /** A short label for comparisons: the model and its LoRAs, e.g. {@code pancap-tiny + long:1.0}. */
        public String label() {
            StringBuilder s = new StringBuilder(model != null ? model : source);
            if (loras != null) {
                for (Lora l : loras) {
                    s.append(" + ").append(l.name()).append(':').append(l.scale());
                }
            }
            return s.toString();
        }
    }

    /** A LoRA as used: its file, multiplier and SHA-256 ({@code name} is the file name without .safetensors). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Lora(String name, String file, double scale, String sha256) {}

    /** Images generated now, images found from an earlier (interrupted) run, and seconds per phase. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Timing(int generated, int reused, double generateSeconds, double scoreSeconds) {}

    static GenevalReport of(Summary summary, Settings settings, Timing timing) {
        List<Task> tasks = summary.tasks().stream().map(t -> new Task(t.tag(), t.score(), t.correct(), t.total())).toList();
        return new GenevalReport(SCHEMA, summary.overall(), tasks, summary.totalImages(), summary.totalPrompts(),
                summary.correctImages(), summary.correctPrompts(), settings, timing);
    }

    public String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(Path file) {
        AtomicFiles.write(file, (json() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a summary.json, or the summary.json inside a run folder. */
    public static GenevalReport read(Path fileOrRun) throws IOException {
        Path file = Files.isDirectory(fileOrRun) ? fileOrRun.resolve(SUMMARY) : fileOrRun;
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file.toString(), "no such file (a GenEval run folder holds " + SUMMARY + ")");
        }
        GenevalReport r;
        try {
            r = JSON.readValue(file.toFile(), GenevalReport.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new BadInputException(file.toString(), "not a GenEval summary: " + e.getOriginalMessage());
        }
        if (!SCHEMA.equals(r.schema())) {
            throw new BadInputException(file.toString(), "schema is " + r.schema() + ", expected " + SCHEMA);
        }
        if (r.tasks() == null || r.tasks().isEmpty()) {
            throw new BadInputException(file.toString(), "no tasks");
        }
        return r;
    }

    static Settings readSettings(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), Settings.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new BadInputException(file.toString(), "unreadable run settings: " + e.getOriginalMessage());
        }
    }

    static void writeSettings(Path file, Settings settings) throws IOException {
        AtomicFiles.write(file, (JSON.writeValueAsString(settings) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
