package studio.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalPromptLine;
import studio.core.device.Precision;
import studio.diffusion.pipeline.LoraSpec;
import studio.diffusion.pipeline.ModelFolder;
import studio.diffusion.pipeline.TextToImage;
import studio.eval.clipscore.CaptionedImages;
import studio.eval.clipscore.ClipModelFolder;
import studio.eval.features.ResizeMode;
import studio.eval.fid.FeatureCache;
import studio.eval.geneval.ClipColorClassifier;
import studio.eval.geneval.Detectors;
import studio.eval.geneval.GenevalReport;
import studio.eval.geneval.GenevalRunner;
import studio.eval.geneval.GenevalScorer;
import studio.eval.geneval.Layout;
import studio.eval.geneval.PipelineSamples;
import studio.eval.geneval.RuleOptions;

/**
 * The bodies of {@code studio eval geneval}, {@code eval fid} and {@code eval clipscore} as functions, so the CLI and
 * the server's evaluate job ({@code studio.server.work.EvaluateJob}) run one code path. The job differs only in the
 * {@code wrap} of the sample generator (progress, cancel and yielding to short jobs at image boundaries) and the log.
 */
public final class EvalRuns {
    private EvalRuns() {}

    /** How GenEval images are scored: the detector spec, the CLIP for colours, the rule options, the report's failures. */
    public record Scoring(String detector, Path clip, String clipText, RuleOptions rules, int failuresPerTask) {
        /** Refuses, before any work, a bad text tower, and a missing CLIP folder when some prompt has a colour clause. */
        public void check(List<GenevalPromptLine> lines) {
            ClipColorClassifier.tokenizerFolder(clipText);
            boolean colours = lines.stream().anyMatch(l -> l.include().stream().anyMatch(c -> c.color() != null));
            if (colours) {
                ClipColorClassifier.requireFolder(clip, clipText);
            }
            if (failuresPerTask < 0) {
                throw new BadInputException("--report-failures", "must be >= 0, got " + failuresPerTask);
            }
        }

        /** {@link #check}, the problem reported against request field {@code field} (the server's prompts). */
        public void checkOr(String field, List<GenevalPromptLine> lines) {
            try {
                check(lines);
            } catch (BadInputException e) {
                throw new BadInputException(field, e.getMessage(), e);
            }
        }

        GenevalReport score(Path out, List<Layout.PromptImages> images, GenevalReport.Settings settings,
                            GenevalRunner.Generated generated, Detectors.Opened source, Consumer<String> log)
                throws Exception {
            try (ClipColorClassifier.Lazy colors = new ClipColorClassifier.Lazy(clip, clipText)) {
                GenevalScorer scorer = new GenevalScorer(source.source(), colors, rules);
                // Described after scoring: the colour classifier says what it loaded only once it has.
                return GenevalRunner.evaluate(out, images, scorer,
                        () -> settings.withScoring(source.description(), colors.description()), generated,
                        failuresPerTask, log);
            }
        }
    }

    /**
     * What images a run generates: the prompts (file and its lines, already limited), N per prompt, the sampler
     * settings ({@code size} null = the model's), and (GenEval) how they are scored.
     */
    public record Generation(List<LoraSpec> loras, Path prompts, List<GenevalPromptLine> lines, int imagesPerPrompt,
                             int steps, float guidance, Integer size, long seed, String sampler, int t5Length,
                             Precision precision, String device) {}

    /**
     * The CLIP folder for colour clauses when none is given: the model folder when it has {@code image_encoder/},
     * else the installation's {@code models/pancap-tiny}.
     */
    public static Path defaultClip(Path modelRoot) {
        return modelRoot != null && Files.isDirectory(modelRoot.resolve("image_encoder")) ? modelRoot
                : studio.core.Installation.models().resolve("pancap-tiny");
    }

    /** GenEval end to end: generate the missing images into {@code out}, detect, score, write the report files. */
    public static GenevalReport geneval(TextToImage pipe, ModelFolder folder, Generation g, Scoring scoring, Path out,
                                        UnaryOperator<GenevalRunner.SampleGenerator> wrap, Consumer<String> log)
            throws Exception {
        GenevalReport.Settings settings = settings(pipe, folder, g, scoring);
        scoring.check(g.lines());
        try (Detectors.Opened source = Detectors.open(scoring.detector())) { // bad detector input fails before generating
            GenevalRunner.Generated generated = generate(pipe, g, settings, out, wrap, log);
            return scoring.score(out, GenevalRunner.images(out, g.lines(), g.imagesPerPrompt()), settings, generated,
                    source, log);
        }
    }

    /** Generates the run's images in GenEval's layout (as {@link #geneval}), for a metric other than GenEval's. */
    public static GenevalRunner.Generated generateOnly(TextToImage pipe, ModelFolder folder, Generation g, Path out,
                                                       UnaryOperator<GenevalRunner.SampleGenerator> wrap,
                                                       Consumer<String> log) throws Exception {
        return generate(pipe, g, settings(pipe, folder, g, null), out, wrap, log);
    }

    private static GenevalRunner.Generated generate(TextToImage pipe, Generation g, GenevalReport.Settings settings,
                                                    Path out, UnaryOperator<GenevalRunner.SampleGenerator> wrap,
                                                    Consumer<String> log) throws IOException {
        GenevalRunner.prepare(out, settings);
        GenevalRunner.Generated generated = GenevalRunner.generate(out, g.lines(), g.imagesPerPrompt(), g.seed(),
                wrap.apply(new PipelineSamples(pipe, g.loras(), g.steps(), g.guidance(), settings.width(),
                        settings.height(), g.sampler(), g.t5Length())), log);
        pipe.freeEncoders();
        return generated;
    }

    private static GenevalReport.Settings settings(TextToImage pipe, ModelFolder folder, Generation g, Scoring scoring)
            throws IOException {
        int side = g.size() != null ? g.size() : pipe.transformer().config().sampleSize() * pipe.vae().config().scaleFactor();
        List<GenevalReport.Lora> used = new ArrayList<>();
        for (LoraSpec l : g.loras()) {
            used.add(new GenevalReport.Lora(l.name(), l.file().toString(), l.scale(), l.sha256()));
        }
        return new GenevalReport.Settings("generated", folder.name(), folder.root().toString(), used,
                g.prompts().toString(), sha256(g.prompts()), g.lines().size(), g.imagesPerPrompt(), g.steps(),
                (double) g.guidance(), side, side, g.seed(), GenevalRunner.SEED_RULE, g.sampler(), g.t5Length(),
                g.precision().name().toLowerCase(Locale.ROOT), g.device(), scoring == null ? null : scoring.detector(),
                scoring == null ? null : "CLIP " + scoring.clip() + " (" + scoring.clipText() + ")",
                scoring == null ? null : scoring.rules());
    }

    static String sha256(Path file) throws IOException {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            return java.util.HexFormat.of().formatHex(d.digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code studio eval fid}'s report: the Fréchet distance of two image lists in a feature space ({@code weights}
     * null = the extractor's default), features cached per set in {@code cache} (null: no cache).
     */
    public static Map<String, Object> fid(List<Path> realImages, Path real, List<Path> fakeImages, Path fake,
                                          String features, Path weights, ResizeMode resize, FeatureCache cache,
                                          String epsPolicy, double eps) throws Exception {
        return EvalFeaturesCommands.Fid.report(realImages, real, fakeImages, fake, features, weights, resize, cache,
                FrechetOptions.of(epsPolicy, eps));
    }

    /** {@code studio eval clipscore}'s report (with every image under {@code per_image}) of a GenEval-layout folder. */
    public static Map<String, Object> clipscoreOfGeneval(Path dir, ClipModelFolder folder, ResizeMode mode)
            throws Exception {
        return EvalFeaturesCommands.ClipScore.report(CaptionedImages.fromGeneval(dir), folder, mode);
    }
}
