package studio.server.routes;

import io.javalin.http.Context;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import studio.core.BadInputException;
import studio.server.app.Api;
import studio.server.app.Deps;
import studio.server.app.JsonFields;
import studio.server.app.Roots;
import studio.server.app.Schemas;
import studio.server.jobs.JobJson;
import studio.server.jobs.JobKind;
import studio.server.store.ImageRow;
import studio.server.store.JobRow;
import studio.server.work.CheckJob;
import studio.server.work.GenerateParams;

/**
 * The closed-loop check of a gallery image against a prompt (its own by default). The captioner is named as in
 * {@code studio check --model}, with datasets by name: {@code oracle:DATASET} (the ground truth of a dataset under
 * the dataset root).
 */
public final class CheckRoutes {
    private CheckRoutes() {}

    static final Map<String, Object> REQUEST = Schemas.object(List.of("image", "captioner"), Map.of(
            "image", Schemas.string("a gallery image id"),
            "prompt", Schemas.string("the prompt to check against (default: the image's own)"),
            "captioner", Schemas.string("oracle:DATASET")));

    public static void register(Api api, Deps deps) {
        api.tag("check").post("/api/check", "queue a check of an image against its prompt", REQUEST,
                Schemas.accepted(), ctx -> check(ctx, deps));
    }

    private static void check(Context ctx, Deps deps) throws java.io.IOException {
        JsonFields f = JsonFields.parse(ctx.body(), Set.of("image", "prompt", "captioner"));
        String captioner = captionerSpec(f.string("captioner", true, 300), deps);
        String imageId = f.string("image", true, 100);
        ImageRow image = deps.store().image(imageId)
                .orElseThrow(() -> new BadInputException("image", "no such image '" + imageId + "'"));
        String prompt = f.string("prompt", false, GenerateParams.MAX_PROMPT_CHARS);
        prompt = prompt != null ? prompt : String.valueOf(image.params().getOrDefault("prompt", ""));
        Path file = Roots.confine(deps.roots().images().toRealPath(), image.file(), "image");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("image", imageId);
        params.put("prompt", prompt);
        params.put("captioner", f.string("captioner", true, 300));
        JobRow job = deps.queue().submit(JobKind.CHECK, params,
                CheckJob.task(deps.checker(), file, prompt, captioner, deps.roots()::jobFiles));
        ctx.status(202).json(JobJson.of(job));
    }

    /** {@code oracle:NAME} → {@code oracle:<real path of datasets/NAME>}; other kinds are refused here. */
    static String captionerSpec(String given, Deps deps) {
        String oracle = "oracle:";
        if (!given.startsWith(oracle)) {
            throw new BadInputException("captioner", "expected oracle:DATASET (a dataset under the dataset folder)");
        }
        Path dir = Roots.confine(deps.roots().datasets(), given.substring(oracle.length()), "captioner");
        return oracle + dir;
    }
}
