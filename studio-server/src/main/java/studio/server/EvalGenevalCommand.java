package studio.server;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalPromptFile;
import studio.core.data.geneval.GenevalPromptLine;
import studio.core.device.Devices;
import studio.core.device.Precision;
import studio.diffusion.pipeline.LoraSpec;
import studio.diffusion.pipeline.ModelFolder;
import studio.diffusion.pipeline.PromptConditioner;
import studio.diffusion.pipeline.TextToImage;
import studio.eval.geneval.ClipColorClassifier;
import studio.eval.geneval.Detectors;
import studio.eval.geneval.GenevalReport;
import studio.eval.geneval.GenevalRunner;
import studio.eval.geneval.RuleOptions;
import studio.eval.geneval.WorldTruth;

/**
 * {@code studio eval geneval}: generate GenEval's images with a model (and LoRAs) into the official layout,
 * resumably, then detect, score with the official rules and write results.jsonl, summary.json and report.html;
 * {@code studio eval geneval-world}: the same scoring on real world images paired with prompts true of them.
 */
@Command(name = "geneval", description = "GenEval end to end: generate N images per prompt (resumable) into "
        + "OUT/<00000>/samples/0000.png, detect, score with the official rules; writes results.jsonl, summary.json, report.html.")
final class EvalGenevalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "NAME under <home>/models or a diffusers folder")
    String model;

    @Option(names = "--lora", paramLabel = "FILE[:SCALE]", description = "LoRA attached while generating; repeatable")
    List<String> loras = new ArrayList<>();

    @Option(names = "--prompts", required = true, paramLabel = "FILE",
            description = "GenEval evaluation_metadata.jsonl (the official 553 prompts, or a world's geneval/ file)")
    Path prompts;

    @Option(names = "--images-per-prompt", defaultValue = "4", description = "images per prompt (default ${DEFAULT-VALUE}, GenEval's)")
    int imagesPerPrompt;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run folder (created; an interrupted run continues)")
    Path out;

    @Option(names = "--steps", defaultValue = "28", description = "sampler steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--guidance", defaultValue = "7.0", description = "CFG scale (default ${DEFAULT-VALUE})")
    float guidance;

    @Option(names = "--size", paramLabel = "PX", description = "image side in pixels (default: the model's sample size)")
    Integer size;

    @Option(names = "--seed", defaultValue = "42", description = "base seed; image j of prompt i uses "
            + GenevalRunner.SEED_RULE + " (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--limit", paramLabel = "N", description = "only the first N prompts")
    Integer limit;

    @Option(names = "--sampler", defaultValue = "euler", description = "euler, heun or dpmpp2m (default ${DEFAULT-VALUE})")
    String sampler;

    @Option(names = "--t5-length", defaultValue = "256", description = "T5 tokens (default ${DEFAULT-VALUE})")
    int t5Length;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "f32", description = "transformer dtype f32, bf16, f16 (default ${DEFAULT-VALUE})")
    String dtype;

    @Mixin
    Scoring scoring;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        List<LoraSpec> specs = new ArrayList<>();
        loras.forEach(l -> specs.add(LoraSpec.parse(l)));
        if (!Files.isRegularFile(prompts)) {
            throw new BadInputException("--prompts " + prompts, "no such file");
        }
        List<GenevalPromptLine> lines = GenevalPromptFile.read(prompts);
        if (limit != null) {
            if (limit < 1) {
                throw new BadInputException("--limit", "must be >= 1, got " + limit);
            }
            lines = lines.subList(0, Math.min(limit, lines.size()));
        }
        ModelFolder folder = ModelFolder.resolve(model, ModelFolder.studioHome());
        Precision precision = Precision.parse(dtype, "--dtype");
        EvalRuns.Scoring sc = scoring.toRun(scoring.clipFolder(folder.root()));
        EvalRuns.Generation g = new EvalRuns.Generation(specs, prompts, lines, imagesPerPrompt, steps, guidance, size,
                seed, sampler, t5Length, precision, device);
        try (TextToImage pipe = TextToImage.load(folder, Devices.parse(device, "--device"), precision,
                PromptConditioner.loader(precision), Map.of("studio", new Main.Version().getVersion()[0]))) {
            GenevalReport report = EvalRuns.geneval(pipe, folder, g, sc, out, s -> s, line(err));
            printDone(spec, report, out);
        }
        return Main.EXIT_OK;
    }

    static Consumer<String> line(PrintWriter err) {
        return s -> {
            err.println(s);
            err.flush();
        };
    }

    static void printDone(CommandSpec spec, GenevalReport report, Path out) throws Exception {
        CliJson.print(spec, report);
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "overall %.3f; wrote %s, %s, %s%n", report.overall(), out.resolve(GenevalReport.RESULTS),
                out.resolve(GenevalReport.SUMMARY), out.resolve(GenevalReport.REPORT));
        err.flush();
    }

    /** How images are scored: the detector, the CLIP for colours, the rule options, the report's failure grid. */
    static final class Scoring {
        @Option(names = "--detector", defaultValue = "world", paramLabel = "SPEC", description = "world (tiny PanCaper), "
                + "world:CAPTIONER (e.g. world:oracle:DIR, a dataset's ground truth) or detections:FILE (default ${DEFAULT-VALUE})")
        String detector;

        @Option(names = "--clip", paramLabel = "DIR", description = "CLIP for colour clauses: a folder with image_encoder/, "
                + "text_encoder/ + tokenizer/ (or text_encoder_2/ + tokenizer_2/) and optionally preprocessor_config.json "
                + "(default: the model folder when it has image_encoder/, else models/pancap-tiny)")
        Path clip;

        @Option(names = "--clip-text", defaultValue = ClipColorClassifier.TEXT_ENCODER, paramLabel = "TOWER",
                description = "text tower for the colour prompts: text_encoder (CLIP-L-class, as the official ViT-L/14) "
                        + "or text_encoder_2 (default ${DEFAULT-VALUE})")
        String clipText;

        @Option(names = "--option", paramLabel = "KEY=VALUE", description = "official evaluator options: threshold, "
                + "counting_threshold, max_objects, max_overlap, position_threshold")
        List<String> options = List.of();

        @Option(names = "--report-failures", defaultValue = "24", paramLabel = "N",
                description = "wrong images shown per task in report.html (default ${DEFAULT-VALUE})")
        int failuresPerTask;

        RuleOptions rules() {
            return RuleOptions.parse(options);
        }

        Path clipFolder(Path modelRoot) {
            if (clip != null) {
                return clip;
            }
            return EvalRuns.defaultClip(modelRoot);
        }

        EvalRuns.Scoring toRun(Path clipRoot) {
            return new EvalRuns.Scoring(detector, clipRoot, clipText, rules(), failuresPerTask);
        }
    }

    /** {@code studio eval geneval-world}: real world images paired with prompts true of them, scored as a run. */
    @Command(name = "geneval-world", description = "GenEval on real world images: each image of a `studio world` folder "
            + "paired with prompts true of its scene (one per task where possible), scored with the official rules: "
            + "an upper bound for generated images and a check of the detector and colour classifier.")
    static final class World implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--world", required = true, paramLabel = "DIR", description = "a folder written by `studio world`")
        Path world;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "run folder (official layout)")
        Path out;

        @Option(names = "--limit", defaultValue = "2147483647", paramLabel = "N", description = "only the first N world images")
        int limit;

        @Mixin
        Scoring scoring;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            if (limit < 1) {
                throw new BadInputException("--limit", "must be >= 1, got " + limit);
            }
            Path clip = scoring.clipFolder(null);
            try (Detectors.Opened source = Detectors.open(scoring.detector)) {
                List<WorldTruth.Pair> pairs = WorldTruth.write(world, out, limit, line(err));
                List<GenevalPromptLine> lines = pairs.stream().map(WorldTruth.Pair::prompt).toList();
                EvalRuns.Scoring sc = scoring.toRun(clip);
                sc.check(lines);
                GenevalReport.Settings settings = new GenevalReport.Settings("world-truth", null, null, null,
                        world.toString(), null, lines.size(), 1, null, null, null, null, null, null, null, null, null,
                        null, scoring.detector, null, scoring.rules());
                GenevalReport report = sc.score(out, GenevalRunner.images(out, lines, 1), settings,
                        new GenevalRunner.Generated(0, lines.size(), 0), source, line(err));
                printDone(spec, report, out);
            }
            return Main.EXIT_OK;
        }
    }
}
