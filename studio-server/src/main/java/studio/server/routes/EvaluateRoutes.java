package studio.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import studio.core.BadInputException;
import studio.eval.geneval.GenevalComparison;
import studio.eval.geneval.GenevalReport;
import studio.eval.geneval.ImageResult;
import studio.eval.geneval.Layout;
import studio.eval.geneval.ResultsFile;
import studio.server.app.Api;
import studio.server.app.Deps;
import studio.server.app.Roots;
import studio.server.app.Schemas;
import studio.server.jobs.JobJson;
import studio.server.jobs.JobKind;
import studio.server.jobs.JobQueue;
import studio.server.store.JobRow;
import studio.server.store.RunRow;
import studio.server.work.EvaluateJob;
import studio.server.work.EvaluateSpec;

/**
 * Evaluation from the browser: launch (GenEval, FID, CLIPScore on a model with LoRAs), the list, one evaluation with
 * its per-task scores and wrong images, its report.html and samples, cancel, and two GenEval runs compared by
 * {@link GenevalComparison} (the numbers of {@code studio eval compare}). An evaluation's id is its job's; its folder
 * {@code evals/<id>} under the home.
 */
public final class EvaluateRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Wrong images listed per task in the detail (thumbnails on the page). */
    static final int FAILURES_PER_TASK = 12;

    private EvaluateRoutes() {}

    static final Map<String, Object> REQUEST = Schemas.object(List.of("kind", "prompts"), Map.ofEntries(
            Map.entry("kind", Schemas.string("geneval, fid or clipscore")),
            Map.entry("name", Schemas.string("display name (default: kind · model)")),
            Map.entry("model", Schemas.string("a model folder name under the models root (default pancap-tiny)")),
            Map.entry("lora", Schemas.array(Schemas.object(List.of("path"), Map.of(
                    "path", Schemas.string("a .safetensors file under the LoRA root"),
                    "scale", Schemas.number(-4, 4, "multiplier (default 1)"))), 8)),
            Map.entry("prompts", Schemas.string("a GenEval metadata file under the dataset root, or a world dataset "
                    + "folder (its geneval/evaluation_metadata.jsonl)")),
            Map.entry("images_per_prompt", Schemas.integer(1, 64, "images per prompt (default 4, GenEval's)")),
            Map.entry("steps", Schemas.integer(1, 200, "sampler steps (default 28)")),
            Map.entry("guidance", Schemas.number(0, 30, "CFG scale (default 7)")),
            Map.entry("size", Schemas.integer(16, 2048, "image side, a multiple of 16 (default: the model's)")),
            Map.entry("seed", Schemas.integer(0, (1L << 53) - 1, "base seed (default 42); image j of prompt i uses "
                    + "seed + 65536 i + j")),
            Map.entry("limit", Schemas.integer(1, 100_000, "only the first N prompts")),
            Map.entry("sampler", Schemas.string("euler, heun or dpmpp2m")),
            Map.entry("t5_length", Schemas.integer(1, 512, "T5 tokens (default 256; pancap-tiny's MMDiT was trained with 128)")),
            Map.entry("detector", Schemas.string("geneval: world (default), oracle:DATASET or detections:FILE (under the "
                    + "dataset root)")),
            Map.entry("clip_text", Schemas.string("geneval: the CLIP text tower for colour clauses, text_encoder "
                    + "(default, CLIP-L-class) or text_encoder_2; as eval geneval --clip-text")),
            Map.entry("real", Schemas.string("fid: the reference image folder under the dataset root")),
            Map.entry("features", Schemas.string("fid: inception, dinov2, clip or tiny-clip (default); clipscore: "
                    + "tiny-clip or a CLIP folder under the models root")),
            Map.entry("weights", Schemas.string("fid: the feature network's weights under the models root"))));

    public static void register(Api api, Deps deps) {
        api.tag("evaluate")
                .post("/api/evaluate", "queue an evaluation (the evaluation id is the job id)", REQUEST,
                        Schemas.accepted(), ctx -> launch(ctx, deps))
                .get("/api/evaluate/prompts", "GenEval prompt files the form offers: .jsonl files at the top of the "
                        + "dataset root and the datasets holding " + EvaluateSpec.WORLD_PROMPTS, Schemas.ok("prompts"),
                        ctx -> ctx.json(Map.of("prompts", promptFiles(deps))))
                .get("/api/evaluations", "evaluations, newest first (?limit, ?offset)", Schemas.ok("evaluations"),
                        ctx -> list(ctx, deps))
                .get("/api/evaluations/compare", "two finished GenEval runs side by side (?a=ID&b=ID): per task A, B "
                        + "and B − A, overall first; as studio eval compare", Map.of("200", "the comparison",
                        "400", "a or b missing, or not a finished GenEval run", "404", "no such evaluation"),
                        ctx -> compare(ctx, deps))
                .get("/api/evaluations/{id}", "one evaluation: settings, state, summary with per-task scores, "
                        + "wrong images by task", Schemas.okOr404("the evaluation"), ctx -> ctx.json(detail(evaluation(ctx, deps), deps)))
                .post("/api/evaluations/{id}/cancel", "cancel a waiting or running evaluation (at an image boundary)",
                        null, Map.of("200", "outcome", "404", "no such evaluation"), ctx -> cancel(ctx, deps))
                .getFile("/api/evaluations/{id}/report", "report.html of a finished GenEval run", "text/html",
                        ctx -> report(ctx, deps))
                .getFile("/api/evaluations/{id}/images/{prompt}/{sample}", "a generated sample (prompt folder 00000, "
                        + "sample 0000.png)", "image/png", ctx -> sample(ctx, deps));
    }

    private static void launch(Context ctx, Deps deps) {
        EvaluateSpec spec = EvaluateSpec.parse(ctx.body(), deps.roots(), deps.defaultModel());
        JobRow job = deps.queue().submit(JobKind.EVALUATE, spec.toJson(),
                EvaluateJob.task(spec, deps.generator(), deps.roots(), deps.store(), deps.clock()));
        EvaluateJob.insertRun(deps.store(), job.id(), spec, deps.clock());
        Map<String, Object> m = JobJson.of(job);
        m.put("evaluationId", job.id());
        ctx.status(202).json(m);
    }

    static List<String> promptFiles(Deps deps) throws IOException {
        List<String> out = new ArrayList<>();
        Path root = deps.roots().datasets();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (java.util.stream.Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && Files.isRegularFile(p.resolve(EvaluateSpec.WORLD_PROMPTS))) {
                    out.add(name);
                } else if (Files.isRegularFile(p) && name.endsWith(".jsonl")) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    static RunRow evaluation(Context ctx, Deps deps) {
        return evaluation(deps, Requests.id(ctx, "id"), "id");
    }

    private static RunRow evaluation(Deps deps, String id, String field) {
        return deps.store().run(id).filter(r -> r.kind().equals(EvaluateJob.RUN_KIND))
                .orElseThrow(() -> Requests.notFound("evaluation", id));
    }

    private static void list(Context ctx, Deps deps) throws IOException {
        int limit = Requests.queryInt(ctx, "limit", 50, 1, 500);
        int offset = Requests.queryInt(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> out = new ArrayList<>();
        for (RunRow r : deps.store().runs(EvaluateJob.RUN_KIND, limit, offset)) {
            out.add(summary(r, deps));
        }
        ctx.json(Map.of("evaluations", out));
    }

    /** An evaluation as the list shows it: its settings, its job's state and progress, the headline score. */
    static Map<String, Object> summary(RunRow r, Deps deps) throws IOException {
        JobRow job = JobRoutes.job(deps.store(), r.jobId());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("name", r.name());
        m.put("kind", r.config().get("kind"));
        m.put("model", r.config().get("model"));
        m.put("lora", r.config().get("lora"));
        m.put("prompts", r.config().get("prompts"));
        m.put("state", job.state());
        m.put("error", job.error());
        m.put("step", job.step());
        m.put("steps", job.steps());
        m.put("createdMs", r.createdMs());
        m.put("eventsUrl", "/api/jobs/" + job.id() + "/events");
        JsonNode s = summaryJson(deps, r);
        m.put("score", s == null ? null : headline(String.valueOf(r.config().get("kind")), s));
        return m;
    }

    private static Object headline(String kind, JsonNode s) {
        JsonNode v = switch (kind) {
            case "geneval" -> s.get("overall");
            case "fid" -> s.get("fd");
            default -> s.at("/clipscore/torchmetrics/score");
        };
        return v == null || v.isMissingNode() || v.isNull() ? null : v.asDouble();
    }

    private static Path folder(Deps deps, RunRow r) {
        return deps.roots().evals().resolve(r.id());
    }

    /** The run's summary.json when the job finished it, else null. */
    private static JsonNode summaryJson(Deps deps, RunRow r) throws IOException {
        Path f = folder(deps, r).resolve(GenevalReport.SUMMARY);
        return Files.isRegularFile(f) ? JSON.readTree(f.toFile()) : null;
    }

    static Map<String, Object> detail(RunRow r, Deps deps) throws IOException {
        Map<String, Object> m = summary(r, deps);
        m.put("settings", r.config());
        JsonNode s = summaryJson(deps, r);
        m.put("summary", s);
        Path dir = folder(deps, r);
        boolean geneval = "geneval".equals(r.config().get("kind"));
        m.put("reportUrl", geneval && Files.isRegularFile(dir.resolve(GenevalReport.REPORT))
                ? "/api/evaluations/" + r.id() + "/report" : null);
        Map<String, List<Map<String, Object>>> failures = new LinkedHashMap<>();
        Path results = dir.resolve(GenevalReport.RESULTS);
        if (geneval && Files.isRegularFile(results)) {
            for (ImageResult x : ResultsFile.read(results)) {
                List<Map<String, Object>> list = failures.computeIfAbsent(x.tag(), k -> new ArrayList<>());
                String url = sampleUrl(r.id(), dir, Path.of(x.filename()));
                if (!x.correct() && list.size() < FAILURES_PER_TASK && url != null) {
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("url", url);
                    f.put("prompt", x.prompt());
                    f.put("reason", x.reason());
                    list.add(f);
                }
            }
        }
        m.put("failures", failures);
        return m;
    }

    /** The URL of a sample of the run ({@code <dir>/00003/samples/0001.png}), or null for a file elsewhere. */
    private static String sampleUrl(String id, Path dir, Path file) {
        Path rel;
        try {
            rel = dir.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (rel.getNameCount() != 3 || !rel.getName(1).toString().equals("samples")) {
            return null;
        }
        return "/api/evaluations/" + id + "/images/" + rel.getName(0) + "/" + rel.getName(2);
    }

    private static void cancel(Context ctx, Deps deps) {
        RunRow r = evaluation(ctx, deps);
        JobQueue.CancelOutcome outcome = deps.queue().cancel(r.jobId());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", outcome.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put("job", JobJson.of(JobRoutes.job(deps.store(), r.jobId())));
        ctx.json(m);
    }

    private static void report(Context ctx, Deps deps) throws IOException {
        RunRow r = evaluation(ctx, deps);
        Path file = folder(deps, r).resolve(GenevalReport.REPORT);
        if (!Files.isRegularFile(file)) {
            throw Requests.notFound("report", r.id());
        }
        // Self-contained (images as data URIs, no scripts): the app's CSP holds for it too.
        ctx.contentType("text/html; charset=utf-8").result(Files.newInputStream(file));
    }

    private static void sample(Context ctx, Deps deps) throws IOException {
        RunRow r = evaluation(ctx, deps);
        String prompt = ctx.pathParam("prompt");
        String sample = ctx.pathParam("sample");
        if (!prompt.matches("\\d{5}") || !sample.matches("\\d{4}\\.png")) {
            throw new BadInputException("sample", "expected a prompt folder NNNNN and a sample NNNN.png");
        }
        Path dir = folder(deps, r);
        if (!Files.isDirectory(dir)) {
            throw Requests.notFound("sample", prompt + "/" + sample);
        }
        if (!Files.exists(dir.resolve(prompt).resolve(Layout.SAMPLES).resolve(sample))) {
            throw Requests.notFound("sample", prompt + "/" + sample);
        }
        JobRoutes.sendPng(ctx, Roots.confine(dir.toRealPath(), prompt + "/" + Layout.SAMPLES + "/" + sample, "sample"));
    }

    private static void compare(Context ctx, Deps deps) throws IOException {
        String a = ctx.queryParam("a");
        String b = ctx.queryParam("b");
        if (a == null || a.isBlank()) {
            throw new BadInputException("a", "missing: ?a=ID&b=ID");
        }
        if (b == null || b.isBlank()) {
            throw new BadInputException("b", "missing: ?a=ID&b=ID");
        }
        RunRow ra = evaluation(deps, a, "a");
        RunRow rb = evaluation(deps, b, "b");
        GenevalComparison c = GenevalComparison.of(ra.name(), geneval(deps, ra, "a"), rb.name(), geneval(deps, rb, "b"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", Map.of("id", ra.id(), "name", ra.name()));
        m.put("b", Map.of("id", rb.id(), "name", rb.name()));
        m.put("comparison", c);
        ctx.json(m);
    }

    private static GenevalReport geneval(Deps deps, RunRow r, String field) throws IOException {
        if (!"geneval".equals(r.config().get("kind"))) {
            throw new BadInputException(field, "evaluation " + r.id() + " is a " + r.config().get("kind")
                    + " run; only GenEval runs have per-task scores to compare");
        }
        Path f = folder(deps, r).resolve(GenevalReport.SUMMARY);
        if (!Files.isRegularFile(f)) {
            throw new BadInputException(field, "evaluation " + r.id() + " has no summary yet (state "
                    + JobRoutes.job(deps.store(), r.jobId()).state() + ")");
        }
        return GenevalReport.read(f);
    }
}
