package studio.server.routes;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import studio.diffusion.pipeline.GenerationRequest;
import studio.diffusion.text.Prompts;
import studio.server.app.Api;
import studio.server.app.Deps;
import studio.server.app.JsonFields;
import studio.server.app.Roots;
import studio.server.app.Schemas;
import studio.server.jobs.ImageJson;
import studio.server.jobs.JobJson;
import studio.server.jobs.JobKind;
import studio.server.store.ImageRow;
import studio.server.store.JobRow;
import studio.server.work.GenerateJob;
import studio.server.work.GenerateParams;

/** Generation: enqueue, live token counts, the gallery, one image, its PNG and one-click reproduce. */
public final class GenerateRoutes {
    private GenerateRoutes() {}

    static final Map<String, Object> REQUEST = Schemas.object(List.of("prompt"), Map.ofEntries(
            Map.entry("model", Schemas.string("a model folder name under the models root (default pancap-tiny)")),
            Map.entry("prompt", Schemas.string("the prompt, up to 20000 characters")),
            Map.entry("prompt_2", Schemas.string("CLIP-G's text (diffusers' prompt_2); empty or absent: the prompt")),
            Map.entry("prompt_3", Schemas.string("T5's text (prompt_3); empty or absent: the prompt")),
            Map.entry("negative", Schemas.string("negative prompt")),
            Map.entry("negative_2", Schemas.string("CLIP-G's negative; empty or absent: the negative")),
            Map.entry("negative_3", Schemas.string("T5's negative; empty or absent: the negative")),
            Map.entry("seed", Schemas.integer(0, (1L << 53) - 1, "image i of a batch uses seed + i; random when absent")),
            Map.entry("steps", Schemas.integer(1, 200, "sampler steps (default 28)")),
            Map.entry("guidance", Schemas.number(0, 30, "CFG scale, CFG runs when > 1 (default 7)")),
            Map.entry("width", Schemas.integer(16, 2048, "pixels, a multiple of 16 (default: the model's size)")),
            Map.entry("height", Schemas.integer(16, 2048, "pixels, a multiple of 16 (default: the model's size)")),
            Map.entry("batch", Schemas.integer(1, 8, "images (default 1)")),
            Map.entry("sampler", Schemas.string("euler, heun or dpmpp2m")),
            Map.entry("t5Length", Schemas.integer(1, 512, "T5 tokens (default 256)")),
            Map.entry("loras", Schemas.array(Schemas.object(List.of("name"), Map.of(
                    "name", Schemas.string("a .safetensors file under the LoRA root"),
                    "scale", Schemas.number(-4, 4, "multiplier (default 1)"))), 8))));

    static final Map<String, Object> TOKENS = Schemas.object(List.of("prompt"), Map.ofEntries(
            Map.entry("model", Schemas.string("model folder name")), Map.entry("prompt", Schemas.string("the prompt")),
            Map.entry("prompt_2", Schemas.string("CLIP-G's text")), Map.entry("prompt_3", Schemas.string("T5's text")),
            Map.entry("negative", Schemas.string("the negative prompt (counted with the prompt as one CFG batch)")),
            Map.entry("negative_2", Schemas.string("CLIP-G's negative")), Map.entry("negative_3", Schemas.string("T5's negative")),
            Map.entry("guidance", Schemas.number(0, 30, "CFG scale (default 7); at most 1 encodes no negative")),
            Map.entry("t5Length", Schemas.integer(1, 512, "T5 tokens"))));

    public static void register(Api api, Deps deps) {
        api.tag("generate")
                .post("/api/generate", "queue a text-to-image job", REQUEST, Schemas.accepted(), ctx -> generate(ctx, deps))
                .post("/api/tokens", "token counts per encoder and the text each would drop", TOKENS,
                        Map.of("200", "counts", "400", "invalid field"), ctx -> tokens(ctx, deps))
                .get("/api/images", "the gallery, newest first (?limit, ?offset)", Schemas.ok("images"),
                        ctx -> images(ctx, deps))
                .get("/api/images/{id}", "one image with its parameters", Schemas.okOr404("the image"),
                        ctx -> ctx.json(ImageJson.of(image(ctx, deps))))
                .getFile("/api/images/{id}/png", "the PNG (parameters in its text chunks)", "image/png",
                        ctx -> png(ctx, deps))
                .post("/api/images/{id}/reproduce", "queue the image's exact request again", null,
                        Map.of("202", "the job, queued", "404", "no such image", "429", "the queue is full"),
                        ctx -> reproduce(ctx, deps));
    }

    private static void generate(Context ctx, Deps deps) {
        enqueue(ctx, deps, GenerateParams.parse(ctx.body(), deps.roots(), deps.defaultModel()));
    }

    private static void enqueue(Context ctx, Deps deps, GenerateParams p) {
        JobRow job = deps.queue().submit(JobKind.GENERATE, p.toJson(),
                GenerateJob.task(p, deps.generator(), deps.roots(), deps.clock()));
        ctx.status(202).json(JobJson.of(job));
    }

    /** Counts what the pipeline would encode for this request: the same texts per encoder, the same CFG batch. */
    private static void tokens(Context ctx, Deps deps) throws Exception {
        JsonFields f = JsonFields.parse(ctx.body(), Set.of("model", "prompt", "prompt_2", "prompt_3", "negative",
                "negative_2", "negative_3", "guidance", "t5Length"));
        String model = f.string("model", false, 200);
        java.nio.file.Path dir = Roots.confine(deps.roots().models(), model == null ? deps.defaultModel() : model, "model");
        String prompt = f.string("prompt", true, GenerateParams.MAX_PROMPT_CHARS);
        String negative = f.string("negative", false, GenerateParams.MAX_PROMPT_CHARS);
        Prompts positive = new Prompts(prompt, text(f, "prompt_2"), text(f, "prompt_3"));
        Prompts negatives = new Prompts(negative == null ? "" : negative, text(f, "negative_2"), text(f, "negative_3"));
        double guidance = f.number("guidance", 7.0, 0, 30);
        int t5 = f.integer("t5Length", 256L, 1, 512).intValue();
        boolean cfg = GenerationRequest.builder(prompt).guidance((float) guidance).build().cfg();
        ctx.json(deps.tokens().count(dir, positive, cfg ? negatives : null, t5));
    }

    private static String text(JsonFields f, String name) {
        String s = f.string(name, false, GenerateParams.MAX_PROMPT_CHARS);
        return s == null || s.isEmpty() ? null : s;
    }

    private static void images(Context ctx, Deps deps) {
        int limit = Requests.queryInt(ctx, "limit", 60, 1, 500);
        int offset = Requests.queryInt(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> out = new ArrayList<>();
        for (ImageRow i : deps.store().images(limit, offset)) {
            out.add(ImageJson.of(i));
        }
        ctx.json(Map.of("images", out));
    }

    static ImageRow image(Context ctx, Deps deps) {
        String id = Requests.id(ctx, "id");
        return deps.store().image(id).orElseThrow(() -> Requests.notFound("image", id));
    }

    private static void png(Context ctx, Deps deps) throws java.io.IOException {
        ImageRow row = image(ctx, deps);
        JobRoutes.sendPng(ctx, Roots.confine(deps.roots().images().toRealPath(), row.file(), "id"));
    }

    private static void reproduce(Context ctx, Deps deps) throws Exception {
        ImageRow row = image(ctx, deps);
        String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(row.params());
        enqueue(ctx, deps, GenerateParams.parse(body, deps.roots(), deps.defaultModel()));
    }
}
