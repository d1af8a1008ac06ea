package studio.server.work;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import studio.core.BadInputException;
import studio.server.app.JsonFields;
import studio.server.app.Roots;

/**
 * A generate request as the API takes it, validated on the HTTP thread before anything is queued. Model and LoRAs
 * are names inside their roots (resolved to real paths here, {@link Roots#confine}); the seed is fixed at
 * submission (random when absent) so the stored parameters reproduce the image. Width and height may be null: the
 * model's native size.
 */
public record GenerateParams(String model, Path modelDir, String prompt, String prompt2, String prompt3,
                             String negative, String negative2, String negative3, long seed, int steps,
                             double guidance, Integer width, Integer height, int batch, String sampler, int t5Length,
                             List<Lora> loras, int previewEvery) {

    public static final int MAX_PROMPT_CHARS = 20_000;
    public static final Set<String> FIELDS = Set.of("model", "prompt", "prompt_2", "prompt_3", "negative", "negative_2",
            "negative_3", "seed", "steps", "guidance", "width", "height", "batch", "sampler", "t5Length", "loras",
            "previewEvery");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A LoRA by name under the LoRA root, with its multiplier. */
    public record Lora(String name, Path file, double scale) {}

    public GenerateParams {
        loras = List.copyOf(loras);
    }

    public static GenerateParams parse(String body, Roots roots, String defaultModel) {
        JsonFields f = JsonFields.parse(body, FIELDS);
        String model = f.string("model", false, 200);
        model = model == null ? defaultModel : model;
        Path dir = Roots.confine(roots.models(), model, "model");
        if (!java.nio.file.Files.isRegularFile(dir.resolve("model_index.json"))) {
            throw new BadInputException("model", "'" + model + "' is not a diffusers model folder (no model_index.json)");
        }
        String prompt = f.string("prompt", true, MAX_PROMPT_CHARS);
        if (prompt.isBlank()) {
            throw new BadInputException("prompt", "empty");
        }
        String negative = f.string("negative", false, MAX_PROMPT_CHARS);
        String prompt2 = perEncoder(f, "prompt_2");
        String prompt3 = perEncoder(f, "prompt_3");
        String negative2 = perEncoder(f, "negative_2");
        String negative3 = perEncoder(f, "negative_3");
        long seed = f.integer("seed", (long) RANDOM.nextInt(Integer.MAX_VALUE), 0, (1L << 53) - 1);
        int steps = f.integer("steps", 28L, 1, 200).intValue();
        double guidance = f.number("guidance", 7.0, 0, 30);
        Long w = f.integer("width", null, 16, 2048);
        Long h = f.integer("height", null, 16, 2048);
        int batch = f.integer("batch", 1L, 1, 8).intValue();
        String sampler = f.string("sampler", false, 20);
        sampler = sampler == null ? "euler" : sampler.toLowerCase(Locale.ROOT);
        if (!List.of("euler", "heun", "dpmpp2m").contains(sampler)) {
            throw new BadInputException("sampler", "expected euler, heun or dpmpp2m, got '" + sampler + "'");
        }
        int t5 = f.integer("t5Length", 256L, 1, 512).intValue();
        return new GenerateParams(model, dir, prompt, prompt2, prompt3, negative == null ? "" : negative, negative2,
                negative3, seed, steps, guidance,
                w == null ? null : w.intValue(), h == null ? null : h.intValue(), batch, sampler, t5,
                loras(f.array("loras", 8), roots), f.integer("previewEvery", 0L, 0, 200).intValue());
    }

    /**
     * A per-encoder text (prompt_2 → CLIP-G, prompt_3 → T5, negative_2 / negative_3 likewise); null when absent or
     * empty, meaning the main text, as diffusers' {@code prompt_2 = prompt_2 or prompt}.
     */
    private static String perEncoder(JsonFields f, String name) {
        String s = f.string(name, false, MAX_PROMPT_CHARS);
        return s == null || s.isEmpty() ? null : s;
    }

    /** The positive texts per encoder, as the pipeline takes them. */
    public studio.diffusion.text.Prompts prompts() {
        return new studio.diffusion.text.Prompts(prompt, prompt2, prompt3);
    }

    /** The negative texts per encoder. */
    public studio.diffusion.text.Prompts negatives() {
        return new studio.diffusion.text.Prompts(negative, negative2, negative3);
    }

    private static List<Lora> loras(JsonNode array, Roots roots) {
        List<Lora> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonFields l = JsonFields.of(array.get(i), "loras[" + i + "].", Set.of("name", "scale"));
            String name = l.string("name", true, 300);
            if (!name.endsWith(".safetensors")) {
                throw new BadInputException(l.field("name"), "must name a .safetensors file (no pickle is loaded)");
            }
            Path file = Roots.confine(roots.loras(), name, l.field("name"));
            out.add(new Lora(name, file, l.number("scale", 1.0, -4, 4)));
        }
        return out;
    }

    /** The same request for image {@code index} of this batch alone: its own seed, batch 1 (one-click reproduce). */
    public Map<String, Object> reproduce(int index) {
        Map<String, Object> m = toJson();
        m.put("seed", seed + index);
        m.put("batch", 1);
        return m;
    }

    /** As stored with the job and sent back by the API (names, never server paths). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("prompt", prompt);
        m.put("prompt_2", prompt2);
        m.put("prompt_3", prompt3);
        m.put("negative", negative);
        m.put("negative_2", negative2);
        m.put("negative_3", negative3);
        m.put("seed", seed);
        m.put("steps", steps);
        m.put("guidance", guidance);
        m.put("width", width);
        m.put("height", height);
        m.put("batch", batch);
        m.put("sampler", sampler);
        m.put("t5Length", t5Length);
        List<Map<String, Object>> l = new ArrayList<>();
        for (Lora lora : loras) {
            l.add(Map.of("name", lora.name(), "scale", lora.scale()));
        }
        m.put("loras", l);
        m.put("previewEvery", previewEvery);
        return m;
    }
}
