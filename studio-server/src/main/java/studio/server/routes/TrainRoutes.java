package studio.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.ConflictResponse;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import studio.core.train.Checkpoints;
import studio.core.train.TrainState;
import studio.diffusion.train.TrainConfig;
import studio.diffusion.train.Trainables;
import studio.server.app.Api;
import studio.server.app.Deps;
import studio.server.app.JsonFields;
import studio.server.app.Roots;
import studio.server.app.Schemas;
import studio.server.jobs.JobJson;
import studio.server.jobs.JobKind;
import studio.server.jobs.JobQueue;
import studio.server.jobs.JobState;
import studio.server.store.JobRow;
import studio.server.store.RunRow;
import studio.server.store.Store;
import studio.server.work.TrainJob;
import studio.server.work.TrainSpec;

/**
 * Fine-tuning from the browser: presets, launch, stop, resume, the runs with their metrics, checkpoints and validation
 * images. A run's id is the id of the job that started it, its folder {@code runs/<id>} under the home; a resume is a
 * new job on the same run. Metrics come from the database (one row per step and metric, written by the job as the
 * trainer reports each step), not from {@code metrics.jsonl}: the charts want every step while metrics.jsonl holds
 * every {@code log_every}-th, and one indexed query answers a run's curves.
 */
public final class TrainRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Serializes resume requests: the check "no job is working on the run" and the submit are one step. */
    private static final Object RESUME_LOCK = new Object();

    private TrainRoutes() {}

    static final Map<String, Object> OVERRIDES = Map.of("type", "object", "description",
            "trainer config keys, dotted (\"optimizer.lr\") or nested, with values of the preset's types"
                    + " (studio train --set); output_dir, data.dir, data.world and encoders.cache_dir are the server's",
            "additionalProperties", true);

    static final Map<String, Object> REQUEST = Schemas.object(List.of("dataset"), Map.of(
            "preset", Schemas.string("a preset of configs/train (task lora or full), e.g. lora-tiny"),
            "config", OVERRIDES,
            "set", OVERRIDES,
            "dataset", Schemas.string("a dataset folder name under the dataset root"),
            "name", Schemas.string("the run's display name (default: preset on dataset)")));

    static final Map<String, Object> RESUME = Schemas.object(List.of(), Map.of("set", OVERRIDES));

    public static void register(Api api, Deps deps) {
        api.tag("train")
                .get("/api/train/presets", "training presets (configs/train, tasks lora and full) with their main values",
                        Schemas.ok("presets"), ctx -> ctx.json(Map.of("presets", presets(deps.roots()))))
                .post("/api/train", "queue a fine-tuning run (the run id is the job id)", REQUEST, Schemas.accepted(),
                        ctx -> launch(ctx, deps))
                .post("/api/train/{id}/stop", "stop a run at its next step boundary, keeping a checkpoint of that step",
                        null, Map.of("200", "outcome", "404", "no such run"), ctx -> stop(ctx, deps))
                .post("/api/train/{id}/resume", "continue a stopped, interrupted or failed run from its newest checkpoint",
                        RESUME, Map.of("202", "the job, queued", "400", "invalid field", "404", "no such run",
                                "409", "the run is queued, running or finished", "429", "the queue is full"),
                        ctx -> resume(ctx, deps))
                .get("/api/train/runs", "training runs, newest first (?limit, ?offset)", Schemas.ok("runs"),
                        ctx -> runs(ctx, deps))
                .get("/api/train/runs/{id}", "one run: config, metrics per step, checkpoints, validation images by step",
                        Schemas.okOr404("the run"), ctx -> ctx.json(detail(run(ctx, deps), deps)))
                .getFile("/api/train/runs/{id}/validation/{step}/{name}", "a validation image (step-NNNNNNNN/grid.png)",
                        "image/png", ctx -> validationImage(ctx, deps));
    }

    static List<Map<String, Object>> presets(Roots roots) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isDirectory(roots.presets())) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(roots.presets())) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString().replaceFirst("\\.json$", "");
            ObjectNode node;
            try {
                node = TrainSpec.presetFile(roots, name);
            } catch (studio.core.BadInputException e) {
                continue; // another task's preset (vae, clip, …) or not a config: not offered
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            String problem = TrainSpec.presetProblem(roots, node);
            m.put("problem", problem);
            if (problem == null) {
                TrainConfig c = TrainSpec.forRun(node, Path.of(""));
                m.put("task", c.task());
                m.put("steps", c.steps());
                m.put("batchSize", c.batchSize());
                m.put("lr", c.optimizer().lr());
                m.put("rank", c.lora().rank());
                m.put("caption", c.data().caption());
                m.put("resolution", c.data().resolution());
                m.put("validationEvery", c.validation().every());
                m.put("model", c.model().path().isEmpty() ? "random " + c.model().preset() : c.model().path());
            }
            out.add(m);
        }
        return out;
    }

    private static void launch(Context ctx, Deps deps) {
        TrainSpec spec = TrainSpec.parse(ctx.body(), deps.roots());
        JobRow job = deps.queue().submit(JobKind.TRAIN, spec.params(),
                TrainJob.fresh(spec, deps.roots().runs(), deps.store(), deps.clock()));
        TrainJob.insertRun(deps.store(), job.id(), spec, TrainSpec.forRun(spec.config(), deps.roots().runs().resolve(job.id())),
                deps.clock());
        Map<String, Object> m = JobJson.of(job);
        m.put("runId", job.id());
        ctx.status(202).json(m);
    }

    /** A run by its id, or by the id of any job working on it (a resume's). */
    static RunRow run(Context ctx, Deps deps) {
        String id = Requests.id(ctx, "id");
        Optional<RunRow> run = deps.store().run(id);
        if (run.isEmpty()) {
            Object runId = deps.store().job(id).map(j -> j.params().get("runId")).orElse(null);
            if (runId instanceof String r) {
                run = deps.store().run(r);
            }
        }
        return run.filter(r -> r.kind().equals(TrainJob.RUN_KIND)).orElseThrow(() -> Requests.notFound("run", id));
    }

    private static void stop(Context ctx, Deps deps) {
        RunRow run = run(ctx, deps);
        JobQueue.CancelOutcome outcome = deps.queue().cancel(run.jobId());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        m.put("run", summary(run, deps.store()));
        ctx.json(m);
    }

    private static void resume(Context ctx, Deps deps) throws IOException {
        RunRow run = run(ctx, deps);
        JsonFields f = JsonFields.parse(ctx.body(), TrainSpec.RESUME_FIELDS);
        Path runDir = deps.roots().runs().resolve(run.id());
        synchronized (RESUME_LOCK) {
            RunRow now = deps.store().run(run.id()).orElseThrow();
            JobState state = JobState.of(JobRoutes.job(deps.store(), now.jobId()).state());
            if (!state.terminal()) {
                throw new ConflictResponse("the run is " + state.wire() + " (job " + now.jobId() + "); stop it first");
            }
            if (state == JobState.DONE) {
                throw new ConflictResponse("the run finished; start a new one to train further");
            }
            Optional<Path> latest = new Checkpoints(runDir, 1).latest();
            JsonNode stored = latest.isPresent() ? TrainSpec.read(TrainState.read(latest.get()).config())
                    : JSON.valueToTree(now.config());
            TrainConfig c = TrainSpec.resumeConfig(stored, f.raw("set"), runDir);
            long from = latest.map(Checkpoints::step).orElse(0L);
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("runId", run.id());
            params.put("resumeFrom", from);
            params.put("name", run.name());
            if (f.raw("set") != null && !f.raw("set").isNull()) {
                params.put("set", JSON.convertValue(f.raw("set"), Object.class));
            }
            JobRow job = deps.queue().submit(JobKind.TRAIN, params,
                    TrainJob.resume(run.id(), c, latest.isPresent(), from, deps.store()));
            deps.store().setRunJob(run.id(), job.id());
            Map<String, Object> m = JobJson.of(job);
            m.put("runId", run.id());
            ctx.status(202).json(m);
        }
    }

    private static void runs(Context ctx, Deps deps) {
        int limit = Requests.queryInt(ctx, "limit", 50, 1, 500);
        int offset = Requests.queryInt(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> out = new ArrayList<>();
        for (RunRow r : deps.store().runs(TrainJob.RUN_KIND, limit, offset)) {
            out.add(summary(r, deps.store()));
        }
        ctx.json(Map.of("runs", out));
    }

    /** A run as the runs list shows it: its current job's state and progress, the newest loss, whether it can resume. */
    static Map<String, Object> summary(RunRow r, Store store) {
        JobRow job = JobRoutes.job(store, r.jobId());
        Map<String, Object> first = store.job(r.id()).map(JobRow::params).orElse(Map.of());
        JobState state = JobState.of(job.state());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("name", r.name());
        m.put("preset", first.get("preset"));
        m.put("dataset", first.get("dataset"));
        m.put("task", r.config().get("task"));
        m.put("jobId", job.id());
        m.put("state", job.state());
        m.put("error", job.error());
        m.put("step", job.step());
        m.put("steps", job.steps());
        m.put("lastLoss", store.lastMetric(r.id(), "loss").map(Store.Metric::value).orElse(null));
        m.put("resumable", state.terminal() && state != JobState.DONE);
        m.put("createdMs", r.createdMs());
        m.put("eventsUrl", "/api/jobs/" + job.id() + "/events");
        return m;
    }

    static Map<String, Object> detail(RunRow r, Deps deps) throws IOException {
        Map<String, Object> m = summary(r, deps.store());
        m.put("config", r.config());
        Map<String, List<double[]>> metrics = new LinkedHashMap<>();
        for (Store.Metric x : deps.store().metrics(r.id())) {
            metrics.computeIfAbsent(x.name(), k -> new ArrayList<>()).add(new double[] {x.step(), x.value()});
        }
        m.put("metrics", metrics);
        Path runDir = deps.roots().runs().resolve(r.id());
        List<Map<String, Object>> checkpoints = new ArrayList<>();
        for (Path cp : new Checkpoints(runDir, 1).list()) {
            checkpoints.add(Map.of("name", cp.getFileName().toString(), "step", Checkpoints.step(cp), "bytes", bytes(cp)));
        }
        m.put("checkpoints", checkpoints);
        m.put("validation", validation(r.id(), runDir.resolve("validation")));
        Map<String, Object> weights = null;
        for (String name : List.of(Trainables.LORA_FILE, Trainables.FULL_FILE)) {
            Path w = runDir.resolve(name);
            if (Files.isRegularFile(w)) {
                weights = Map.of("name", name, "bytes", Files.size(w));
            }
        }
        m.put("weights", weights);
        return m;
    }

    /** Validation rounds by step: the grid and the single images ({@code p<prompt>-s<seed>.png}). */
    private static List<Map<String, Object>> validation(String runId, Path dir) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> steps;
        try (Stream<Path> s = Files.list(dir)) {
            steps = s.filter(p -> p.getFileName().toString().matches("step-\\d{8}") && Files.isDirectory(p)).sorted().toList();
        }
        for (Path step : steps) {
            long n = Checkpoints.step(step);
            List<String> images;
            try (Stream<Path> s = Files.list(step)) {
                images = s.map(p -> p.getFileName().toString()).filter(x -> x.endsWith(".png") && !x.equals("grid.png"))
                        .sorted().map(x -> TrainJob.validationUrl(runId, n, x)).toList();
            }
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("step", n);
            v.put("grid", Files.isRegularFile(step.resolve("grid.png")) ? TrainJob.validationUrl(runId, n, "grid.png") : null);
            v.put("images", images);
            out.add(v);
        }
        return out;
    }

    private static long bytes(Path folder) throws IOException {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void validationImage(Context ctx, Deps deps) throws IOException {
        RunRow run = run(ctx, deps);
        Path dir = deps.roots().runs().resolve(run.id()).resolve("validation");
        if (!Files.isDirectory(dir)) {
            throw Requests.notFound("validation image", ctx.pathParam("name"));
        }
        Path file = Roots.confine(dir.toRealPath(), ctx.pathParam("step") + "/" + ctx.pathParam("name"), "name");
        JobRoutes.sendPng(ctx, file);
    }
}
