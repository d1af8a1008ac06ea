package studio.server.work;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import studio.diffusion.pipeline.ModelFolder;
import studio.diffusion.pipeline.TextToImage;
import studio.eval.clipscore.ClipModelFolder;
import studio.eval.features.ResizeMode;
import studio.eval.fid.FeatureCache;
import studio.eval.geneval.GenevalReport;
import studio.eval.geneval.GenevalRunner;
import studio.eval.geneval.Layout;
import studio.eval.geneval.RuleOptions;
import studio.server.EvalRuns;
import studio.server.app.Roots;
import studio.server.jobs.JobContext;
import studio.server.jobs.JobTask;
import studio.server.store.Store;

/**
 * An evaluation as a job: {@link EvalRuns}, the code path of {@code studio eval geneval} (and of {@code eval fid} /
 * {@code eval clipscore} over the same generated images), writing into {@code evals/<job id>/} under the home what
 * the CLI writes into {@code --out}. At every image boundary the job checks for a cancel, reports progress (images
 * done of total, the task being generated; the queue derives the ETA) and lets waiting short jobs run
 * ({@link JobContext#yieldToShortJobs()}), as training does at its steps. fid and clipscore write their report as
 * {@code summary.json} (the CLI's {@code --out} JSON).
 */
public final class EvaluateJob {
    public static final String RUN_KIND = "evaluate";
    /** Wrong images kept in report.html per task (the CLI's --report-failures default). */
    static final int REPORT_FAILURES = 24;
    /** CLIPScore's text tower in a pancap-tiny-style folder (the CLI's --text-tower default). */
    static final String CLIP_TEXT_TOWER = "text_encoder_2";

    private EvaluateJob() {}

    /** Stores the evaluation row (once; a second call is ignored). */
    public static void insertRun(Store store, String id, EvaluateSpec spec, Clock clock) {
        store.insertRun(id, id, RUN_KIND, spec.name(), spec.toJson(), clock.millis());
    }

    public static JobTask task(EvaluateSpec spec, ImageGenerator generator, Roots roots, Store store, Clock clock) {
        return ctx -> {
            insertRun(store, ctx.jobId(), spec, clock); // the route does too, after submit: whichever comes first
            Path out = roots.evals().resolve(ctx.jobId());
            ctx.log("evaluation " + ctx.jobId() + ": " + spec.kind() + " of " + spec.model() + ", " + spec.lines().size()
                    + " prompts x " + spec.imagesPerPrompt() + " images, " + spec.steps() + " steps");
            ModelFolder folder = ModelFolder.open(spec.model(), spec.modelDir());
            EvalRuns.Generation g = new EvalRuns.Generation(spec.loraSpecs(), spec.promptsFile(), spec.lines(),
                    spec.imagesPerPrompt(), spec.steps(), (float) spec.guidance(), spec.size(), spec.seed(),
                    spec.sampler(), spec.t5Length(), generator.precision(), generator.device());
            Boundaries b = new Boundaries(ctx, spec.total());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("evaluationId", ctx.jobId());
            result.put("kind", spec.kind());
            try (TextToImage pipe = generator.open(folder)) {
                switch (spec.kind()) {
                    case "geneval" -> {
                        EvalRuns.Scoring scoring = new EvalRuns.Scoring(spec.detectorSpec(),
                                spec.clip(), spec.clipText(), RuleOptions.OFFICIAL, REPORT_FAILURES);
                        GenevalReport r = EvalRuns.geneval(pipe, folder, g, scoring, out, b::wrap, b::log);
                        result.put("overall", r.overall());
                        result.put("images", r.images());
                    }
                    case "fid" -> {
                        GenevalRunner.Generated made = EvalRuns.generateOnly(pipe, folder, g, out, b::wrap, b::log);
                        b.scoring("features");
                        Map<String, Object> r = EvalRuns.fid(studio.eval.features.ImageFolder.list(spec.realDir(), "real"),
                                spec.realDir(), samples(out, spec), out, spec.features(), spec.weights(),
                                ResizeMode.parse("legacy"), new FeatureCache(roots.runs().resolve("cache/features")),
                                "pytorch-fid", 1e-6);
                        r.put("real", spec.real()); // names, not the server's paths
                        write(out, spec, r, made);
                        result.put("fd", r.get("fd"));
                    }
                    default -> {
                        GenevalRunner.Generated made = EvalRuns.generateOnly(pipe, folder, g, out, b::wrap, b::log);
                        b.scoring("CLIPScore");
                        ClipModelFolder clip = ClipModelFolder.resolve(spec.weights() == null ? "tiny-clip"
                                : spec.weights().toString(), CLIP_TEXT_TOWER);
                        Map<String, Object> r = EvalRuns.clipscoreOfGeneval(out, clip, ResizeMode.parse("legacy"));
                        write(out, spec, r, made);
                        Object score = r.get("clipscore") instanceof Map<?, ?> m && m.get("torchmetrics") instanceof Map<?, ?> t
                                ? t.get("score") : null;
                        result.put("clipscore", score);
                    }
                }
            }
            ctx.log("wrote " + out.getFileName() + "/ (" + (spec.kind().equals("geneval")
                    ? "results.jsonl, summary.json, report.html" : "summary.json") + ")");
            return result;
        };
    }

    /** The run's samples in prompt order. */
    static List<Path> samples(Path out, EvaluateSpec spec) {
        List<Path> all = new ArrayList<>();
        for (Layout.PromptImages p : GenevalRunner.images(out, spec.lines(), spec.imagesPerPrompt())) {
            all.addAll(p.images());
        }
        return all;
    }

    /** A fid / clipscore report as the run's summary.json, with what was evaluated (as GenEval's settings say). */
    private static void write(Path out, EvaluateSpec spec, Map<String, Object> report, GenevalRunner.Generated made)
            throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", "pancap-studio/" + spec.kind() + "-summary/1");
        m.put("settings", spec.toJson());
        m.put("generated", made.generated());
        m.putAll(report);
        studio.core.io.AtomicFiles.write(out.resolve(GenevalReport.SUMMARY),
                (new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                        .writeValueAsString(m) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Progress, cancel and yields at image boundaries; the runner's log lines as job log lines. */
    private static final class Boundaries {
        private final JobContext ctx;
        private final int total;
        private int done;

        Boundaries(JobContext ctx, int total) {
            this.ctx = ctx;
            this.total = total;
        }

        GenevalRunner.SampleGenerator wrap(GenevalRunner.SampleGenerator inner) {
            return (prompt, seed, png) -> {
                ctx.checkCancelled();
                detail(prompt.tag(), "generating");
                inner.generate(prompt, seed, png);
                done++;
                ctx.progress(done, total, String.format(Locale.ROOT, "image %d/%d (%s)", done, total, prompt.tag()));
                ctx.yieldToShortJobs();
                ctx.checkCancelled();
            };
        }

        void scoring(String what) {
            ctx.checkCancelled();
            detail(null, "scoring");
            ctx.progress(total, total, "computing " + what);
        }

        void log(String line) {
            if (line.startsWith("scored") && done >= 0) {
                detail(null, "scoring");
            }
            ctx.log(line);
        }

        private void detail(String task, String phase) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("phase", phase);
            d.put("task", task);
            d.put("imagesDone", done);
            d.put("imagesTotal", total);
            ctx.detail(d);
        }
    }
}
