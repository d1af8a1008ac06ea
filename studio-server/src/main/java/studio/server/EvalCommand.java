package studio.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.core.BadInputException;
import studio.eval.fid.EpsPolicy;
import studio.eval.fid.FeatureFiles;
import studio.eval.fid.FrechetDistance;
import studio.eval.fid.FrechetResult;
import studio.eval.fid.GaussianStats;
import studio.eval.geneval.ClipColorClassifier;
import studio.eval.geneval.DetectionsFile;
import studio.eval.geneval.GenevalScorer;
import studio.eval.geneval.ImageResult;
import studio.eval.geneval.ResultsFile;
import studio.eval.geneval.RuleOptions;
import studio.eval.geneval.Summary;

/**
 * {@code studio eval ...}: evaluation. Today: Fréchet distance of feature files, GenEval scoring of an image folder
 * from a detections file (issue 8), and panoptic quality and caption metrics of predictions (issue 7);
 * {@code geneval}, {@code fid} and {@code clipscore} join as their models arrive.
 */
@Command(name = "eval", description = "Evaluate models and images.",
        subcommands = {EvalCommand.Fd.class, EvalCommand.GenevalScore.class, EvalCommand.GenevalSummary.class,
            EvalPqCommand.class, EvalCaptionCommand.class, EvalPredictCommand.class,
            EvalFeaturesCommands.Fid.class, EvalFeaturesCommands.Features.class, EvalFeaturesCommands.ClipScore.class,
            EvalGenevalCommand.class, EvalGenevalCommand.World.class, EvalCompareCommand.class})
final class EvalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Fréchet distance between two feature matrices computed anywhere (tensor {@code features} [N, D]). */
    @Command(name = "fd", description = "Frechet distance between two feature files (safetensors, tensor \"features\" [N, D]); prints JSON.")
    static final class Fd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--real-features", required = true, paramLabel = "FILE", description = "reference set features")
        Path real;

        @Option(names = "--fake-features", required = true, paramLabel = "FILE", description = "generated set features")
        Path fake;

        @Mixin
        FrechetOptions frechet;

        @Override
        public Integer call() throws Exception {
            EpsPolicy policy = frechet.policy();
            GaussianStats realStats = FeatureFiles.statistics(real);
            GaussianStats fakeStats = FeatureFiles.statistics(fake);
            if (realStats.dim() != fakeStats.dim()) {
                throw new BadInputException(fake.toString(), "features have dim " + fakeStats.dim() + " but "
                        + real + " has " + realStats.dim());
            }
            FrechetResult r = FrechetDistance.compute(realStats, fakeStats, policy, frechet.eps);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("fd", r.fd());
            report.put("n_real", r.nReal());
            report.put("n_fake", r.nFake());
            report.put("dim", r.dim());
            frechet.report(report, r);
            report.put("real_features", real.toString());
            report.put("fake_features", fake.toString());
            CliJson.print(spec, report);
            return Main.EXIT_OK;
        }
    }

    /** GenEval scores of an official-layout folder from a detections file (rules apart from any detector). */
    @Command(name = "geneval-score", description = "Score a GenEval image folder (<DIR>/<00000>/metadata.jsonl, samples/0000.png) "
            + "with detections from a JSON-lines file; prints the summary as geneval's summary_scores.py does.")
    static final class GenevalScore implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--images", required = true, paramLabel = "DIR", description = "GenEval image folder")
        Path images;

        @Option(names = "--detections", required = true, paramLabel = "FILE",
                description = "one JSON line per image: {\"image\": \"00000/samples/0000.png\", \"detections\": [...]}")
        Path detections;

        @Option(names = "--out", paramLabel = "FILE", description = "write results.jsonl (official fields) here")
        Path out;

        @Option(names = "--option", paramLabel = "KEY=VALUE", description = "official evaluator options: threshold, "
                + "counting_threshold, max_objects, max_overlap, position_threshold")
        List<String> options = List.of();

        @Option(names = "--clip", paramLabel = "DIR", description = "CLIP folder for colour clauses whose detections "
                + "carry no \"color\" (image_encoder/, text_encoder/ + tokenizer/; see eval geneval --clip)")
        Path clip;

        @Option(names = "--clip-text", defaultValue = ClipColorClassifier.TEXT_ENCODER, paramLabel = "TOWER",
                description = "text_encoder or text_encoder_2 (default ${DEFAULT-VALUE})")
        String clipText;

        @Option(names = "--json", description = "print the summary as JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            RuleOptions rules = RuleOptions.parse(options);
            List<ImageResult> results;
            try (ClipColorClassifier.Lazy colors = clip == null ? null : new ClipColorClassifier.Lazy(clip, clipText)) {
                if (clip != null) {
                    ClipColorClassifier.requireFolder(clip, clipText);
                }
                results = new GenevalScorer(DetectionsFile.read(detections), colors, rules).scoreFolder(images);
            }
            if (results.isEmpty()) {
                throw new BadInputException(images.toString(), "no images (samples/NNNN.png) in the prompt folders");
            }
            if (out != null) {
                ResultsFile.write(out, results);
            }
            printSummary(spec, Summary.of(results), json);
            return Main.EXIT_OK;
        }
    }

    /** The summary of an existing results.jsonl, ours or the official evaluator's. */
    @Command(name = "geneval-summary", description = "Summarise a GenEval results.jsonl (ours or the official evaluator's).")
    static final class GenevalSummary implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "RESULTS", description = "results.jsonl")
        Path results;

        @Option(names = "--json", description = "print the summary as JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            List<ImageResult> read = ResultsFile.read(results);
            if (read.isEmpty()) {
                throw new BadInputException(results.toString(), "no result lines");
            }
            printSummary(spec, Summary.of(read), json);
            return Main.EXIT_OK;
        }
    }

    static void printSummary(CommandSpec spec, Summary summary, boolean json) throws Exception {
        if (!json) {
            spec.commandLine().getOut().print(summary.officialText());
            spec.commandLine().getOut().flush();
            return;
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("overall", summary.overall());
        Map<String, Object> tasks = new LinkedHashMap<>();
        for (Summary.TaskScore task : summary.tasks()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("score", task.score());
            row.put("correct", task.correct());
            row.put("images", task.total());
            tasks.put(task.tag(), row);
        }
        report.put("tasks", tasks);
        report.put("images", summary.totalImages());
        report.put("prompts", summary.totalPrompts());
        report.put("correct_images", summary.correctImages());
        report.put("correct_prompts", summary.correctPrompts());
        report.put("overall_definition", String.format(Locale.ROOT, "mean of the %d task scores", summary.tasks().size()));
        CliJson.print(spec, report);
    }
}
