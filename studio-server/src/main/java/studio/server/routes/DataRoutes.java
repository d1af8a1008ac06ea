package studio.server.routes;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import studio.server.app.Api;
import studio.server.app.Deps;
import studio.server.app.JsonFields;
import studio.server.app.Roots;
import studio.server.app.Schemas;
import studio.server.jobs.JobJson;
import studio.server.jobs.JobKind;
import studio.server.jobs.JobTask;
import studio.server.store.JobRow;
import studio.server.work.DatasetJobs;

/** Datasets under the dataset root: list, statistics and validation (as {@code studio data stats|validate}). */
public final class DataRoutes {
    private DataRoutes() {}

    static final Map<String, Object> REQUEST = Schemas.object(List.of("dataset"),
            Map.of("dataset", Schemas.string("a dataset folder name under the dataset root")));

    public static void register(Api api, Deps deps) {
        api.tag("data")
                .get("/api/datasets", "PanCap-format datasets (folders with panoptic.json)", Schemas.ok("datasets"),
                        ctx -> ctx.json(Map.of("datasets", datasets(deps.roots().datasets()))))
                .post("/api/data/stats", "queue dataset statistics (images, words per caption, masks, things, stuff)",
                        REQUEST, Schemas.accepted(), ctx -> submit(ctx, deps, JobKind.DATA_STATS))
                .post("/api/data/validate", "queue a validation of every dataset invariant", REQUEST,
                        Schemas.accepted(), ctx -> submit(ctx, deps, JobKind.DATA_VALIDATE));
    }

    static List<Map<String, Object>> datasets(Path root) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> Files.isRegularFile(p.resolve("panoptic.json"))).sorted()
                    .forEach(p -> out.add(Map.of("name", p.getFileName().toString())));
        }
        return out;
    }

    private static void submit(Context ctx, Deps deps, JobKind kind) {
        JsonFields f = JsonFields.parse(ctx.body(), Set.of("dataset"));
        String name = f.string("dataset", true, 200);
        Path dir = Roots.confine(deps.roots().datasets(), name, "dataset");
        if (!Files.isRegularFile(dir.resolve("panoptic.json"))) {
            throw new studio.core.BadInputException("dataset", "'" + name + "' has no panoptic.json");
        }
        JobTask task = kind == JobKind.DATA_STATS ? DatasetJobs.stats(name, dir) : DatasetJobs.validate(name, dir);
        JobRow job = deps.queue().submit(kind, Map.of("dataset", name), task);
        ctx.status(202).json(JobJson.of(job));
    }
}
