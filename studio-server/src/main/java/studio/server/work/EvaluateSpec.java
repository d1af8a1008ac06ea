package studio.server.work;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalPromptFile;
import studio.core.data.geneval.GenevalPromptLine;
import studio.diffusion.pipeline.LoraSpec;
import studio.eval.clipscore.ClipModelFolder;
import studio.eval.features.Extractors;
import studio.eval.features.ImageFolder;
import studio.eval.geneval.ClipColorClassifier;
import studio.server.EvalRuns;
import studio.server.app.JsonFields;
import studio.server.app.Roots;

/**
 * {@code POST /api/evaluate}, validated field by field before anything is queued: what {@code studio eval geneval}
 * (and, for {@code fid} / {@code clipscore}, {@code eval fid} / {@code eval clipscore} over the same generated images)
 * takes on the command line, with every path a name inside a root ({@link Roots#confine}). The prompt file is a
 * GenEval metadata file under the dataset root, or a dataset folder whose {@code geneval/evaluation_metadata.jsonl}
 * (written by {@code studio world}) is used. Detectors: {@code world} (the tiny PanCaper), {@code oracle:DATASET}
 * (a dataset's ground truth) or {@code detections:FILE} (a file under the dataset root).
 */
public record EvaluateSpec(String kind, String model, Path modelDir, List<GenerateParams.Lora> loras, String prompts,
                           Path promptsFile, List<GenevalPromptLine> lines, int imagesPerPrompt, int steps,
                           double guidance, Integer size, long seed, Integer limit, String sampler, int t5Length,
                           String detector, String detectorSpec, Path clip, String clipText, String real,
                           Path realDir, String features, Path weights, String name) {
    public static final List<String> KINDS = List.of("geneval", "fid", "clipscore");
    public static final Set<String> FIELDS = Set.of("kind", "model", "lora", "prompts", "images_per_prompt", "steps",
            "guidance", "size", "seed", "limit", "sampler", "t5_length", "detector", "clip_text", "real", "features",
            "weights", "name");
    /** The models-root model whose parts are the world's defaults (PanCaper detector, CLIP towers), as the CLI's. */
    public static final String EMBEDDED = "pancap-tiny";
    /** A world's own prompt file inside its folder ({@code WorldGenerator}). */
    public static final String WORLD_PROMPTS = "geneval/evaluation_metadata.jsonl";

    public EvaluateSpec {
        loras = List.copyOf(loras);
        lines = List.copyOf(lines);
    }

    public static EvaluateSpec parse(String body, Roots roots, String defaultModel) {
        JsonFields f = JsonFields.parse(body, FIELDS);
        String kind = f.string("kind", true, 20);
        if (!KINDS.contains(kind)) {
            throw new BadInputException("kind", "expected geneval, fid or clipscore, got '" + kind + "'");
        }
        String model = f.string("model", false, 200);
        model = model == null ? defaultModel : model;
        Path dir = Roots.confine(roots.models(), model, "model");
        if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
            throw new BadInputException("model", "'" + model + "' is not a diffusers model folder (no model_index.json)");
        }
        List<GenerateParams.Lora> loras = loras(f.array("lora", 8), roots);
        String prompts = f.string("prompts", true, 512);
        Path promptsFile = promptFile(roots, prompts);
        List<GenevalPromptLine> lines;
        try {
            lines = GenevalPromptFile.read(promptsFile);
        } catch (BadInputException e) {
            throw new BadInputException("prompts", e.getMessage(), e);
        }
        Long limit = f.integer("limit", null, 1, 100_000);
        if (limit != null) {
            lines = lines.subList(0, (int) Math.min(limit, lines.size()));
        }
        if (lines.isEmpty()) {
            throw new BadInputException("prompts", "'" + prompts + "' holds no prompts");
        }
        int perPrompt = f.integer("images_per_prompt", 4L, 1, 64).intValue();
        int steps = f.integer("steps", 28L, 1, 200).intValue();
        double guidance = f.number("guidance", 7.0, 0, 30);
        Long size = f.integer("size", null, 16, 2048);
        if (size != null && size % 16 != 0) {
            throw new BadInputException("size", "must be a multiple of 16, got " + size);
        }
        long seed = f.integer("seed", 42L, 0, (1L << 53) - 1);
        String sampler = f.string("sampler", false, 20);
        sampler = sampler == null ? "euler" : sampler;
        if (!List.of("euler", "heun", "dpmpp2m").contains(sampler)) {
            throw new BadInputException("sampler", "expected euler, heun or dpmpp2m, got '" + sampler + "'");
        }
        int t5 = f.integer("t5_length", 256L, 1, 512).intValue();
        String name = f.string("name", false, 120);

        String detector = null;
        String detectorSpec = null;
        Path clip = null;
        String clipText = null;
        String real = null;
        Path realDir = null;
        String features = null;
        Path weights = null;
        switch (kind) {
            case "geneval" -> {
                only(f, kind, "real", "features", "weights");
                detector = f.string("detector", false, 300);
                detector = detector == null ? "world" : detector;
                detectorSpec = detectorSpec(roots, detector);
                clipText = f.string("clip_text", false, 30);
                clipText = clipText == null ? ClipColorClassifier.TEXT_ENCODER : clipText;
                try {
                    ClipColorClassifier.tokenizerFolder(clipText);
                } catch (BadInputException e) {
                    throw new BadInputException("clip_text", e.getMessage(), e);
                }
                clip = imageTowerFolder(dir, roots);
                if (clip == null) {
                    clip = EvalRuns.defaultClip(dir); // the installation's, as the CLI
                }
                new EvalRuns.Scoring(detectorSpec, clip, clipText, studio.eval.geneval.RuleOptions.OFFICIAL, 0)
                        .checkOr("prompts", lines);
            }
            case "fid" -> {
                only(f, kind, "detector", "clip_text");
                real = f.string("real", true, 512);
                realDir = Roots.confine(roots.datasets(), real, "real");
                try {
                    if (ImageFolder.list(realDir, "real").size() < 2) {
                        throw new BadInputException("real", "needs at least 2 images (a covariance needs two samples)");
                    }
                } catch (IOException e) {
                    throw new BadInputException("real", "cannot list '" + real + "': " + e.getMessage());
                }
                if ((long) lines.size() * perPrompt < 2) {
                    throw new BadInputException("images_per_prompt", "FID needs at least 2 generated images");
                }
                features = f.string("features", false, 30);
                features = features == null ? "tiny-clip" : features;
                if (!List.of(Extractors.NAMES).contains(features)) {
                    throw new BadInputException("features", "expected one of " + List.of(Extractors.NAMES) + ", got '"
                            + features + "'");
                }
                String w = f.string("weights", false, 512);
                if (w != null) {
                    weights = Roots.confine(roots.models(), w, "weights");
                } else if (!features.equals("tiny-clip")) {
                    throw new BadInputException("weights", "features '" + features + "' needs weights: a file or folder "
                            + "under the models root (nothing is downloaded)");
                } else if (imageTowerFolder(dir, roots) != null) {
                    // the model's own tower (the feature space it was trained with), else the models root's pancap-tiny
                    weights = imageTowerFolder(dir, roots);
                } else if (!Files.isDirectory(Extractors.tinyClipImageTower())) {
                    throw new BadInputException("weights", "features tiny-clip: neither the model nor the installation "
                            + "has an image_encoder/; name a folder holding one under the models root");
                }
                if (weights != null && (features.equals("tiny-clip") || features.equals("clip"))
                        && !Files.isRegularFile(Extractors.imageTower(weights).resolve("config.json"))) {
                    throw new BadInputException("weights", "'" + weights.getFileName() + "' holds no CLIP image tower (config.json, or "
                            + "image_encoder/config.json)");
                }
            }
            default -> { // clipscore
                only(f, kind, "detector", "real", "weights", "clip_text");
                features = f.string("features", false, 200);
                features = features == null ? "tiny-clip" : features;
                if (!features.equals("tiny-clip")) {
                    weights = Roots.confine(roots.models(), features, "features");
                } else {
                    weights = imageTowerFolder(dir, roots); // null: the installation's pancap-tiny
                }
                try { // the job's own check, early: a folder of either CLIP layout
                    ClipModelFolder.resolve(weights == null ? "tiny-clip" : weights.toString(), EvaluateJob.CLIP_TEXT_TOWER);
                } catch (BadInputException | IOException e) {
                    throw new BadInputException("features", e.getMessage(), e);
                }
            }
        }
        String display = name != null && !name.isBlank() ? name.trim()
                : kind + " · " + model + (loras.isEmpty() ? "" : " + " + loras.get(0).name()
                + (loras.size() > 1 ? " +" + (loras.size() - 1) : ""));
        return new EvaluateSpec(kind, model, dir, loras, prompts, promptsFile, lines, perPrompt, steps, guidance,
                size == null ? null : size.intValue(), seed, limit == null ? null : limit.intValue(), sampler, t5,
                detector, detectorSpec, clip, clipText, real, realDir, features, weights, display);
    }

    /**
     * The folder whose {@code image_encoder/} (and text towers) the tiny-CLIP parts use: the evaluated model's own
     * when it has one, else the models root's {@link #EMBEDDED} when that has one; null when neither has (the
     * callers then fall back to the installation's, as the CLI does). The server's models root, not the
     * installation, is where its named models live ({@code studio serve --models}).
     */
    static Path imageTowerFolder(Path modelDir, Roots roots) {
        if (Files.isDirectory(modelDir.resolve("image_encoder"))) {
            return modelDir;
        }
        Path embedded = roots.models().resolve(EMBEDDED);
        return Files.isDirectory(embedded.resolve("image_encoder")) ? embedded : null;
    }

    /** Fields of another kind are refused rather than ignored (a typo should not silently change nothing). */
    private static void only(JsonFields f, String kind, String... notHere) {
        for (String n : notHere) {
            JsonNode v = f.raw(n);
            if (v != null && !v.isNull()) {
                throw new BadInputException(n, "not used by kind " + kind);
            }
        }
    }

    /** A prompt file under the dataset root, or a dataset (world) folder holding {@link #WORLD_PROMPTS}. */
    static Path promptFile(Roots roots, String prompts) {
        Path p = Roots.confine(roots.datasets(), prompts, "prompts");
        if (Files.isDirectory(p)) {
            Path own = p.resolve(WORLD_PROMPTS);
            if (!Files.isRegularFile(own)) {
                throw new BadInputException("prompts", "'" + prompts + "' is a folder without " + WORLD_PROMPTS);
            }
            return Roots.confine(roots.datasets(), prompts + "/" + WORLD_PROMPTS, "prompts");
        }
        return p;
    }

    /** The request's detector as {@code studio.eval.geneval.Detectors} takes it, with paths inside the dataset root. */
    static String detectorSpec(Roots roots, String detector) {
        if (detector.equals("world")) {
            // The tiny PanCaper of the models root's pancap-tiny when it has one, else the installation's (the CLI's).
            Path captioner = roots.models().resolve(EMBEDDED).resolve("captioner");
            return Files.isRegularFile(captioner.resolve("config.json")) ? "world:pancap:" + captioner : detector;
        }
        if (detector.startsWith("oracle:")) {
            Path d = Roots.confine(roots.datasets(), detector.substring(7), "detector");
            if (!Files.isRegularFile(d.resolve("panoptic.json"))) {
                throw new BadInputException("detector", "'" + detector.substring(7) + "' has no panoptic.json");
            }
            return "world:oracle:" + d;
        }
        if (detector.startsWith("detections:")) {
            Path file = Roots.confine(roots.datasets(), detector.substring(11), "detector");
            if (!Files.isRegularFile(file)) {
                throw new BadInputException("detector", "'" + detector.substring(11) + "' is not a file");
            }
            return "detections:" + file;
        }
        throw new BadInputException("detector", "expected world, oracle:DATASET or detections:FILE, got '" + detector + "'");
    }

    private static List<GenerateParams.Lora> loras(JsonNode array, Roots roots) {
        List<GenerateParams.Lora> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonFields l = JsonFields.of(array.get(i), "lora[" + i + "].", Set.of("path", "scale"));
            String name = l.string("path", true, 300);
            if (!name.endsWith(".safetensors")) {
                throw new BadInputException(l.field("path"), "must name a .safetensors file (no pickle is loaded)");
            }
            out.add(new GenerateParams.Lora(name, Roots.confine(roots.loras(), name, l.field("path")),
                    l.number("scale", 1.0, -4, 4)));
        }
        return out;
    }

    public List<LoraSpec> loraSpecs() {
        return loras.stream().map(l -> new LoraSpec(l.file(), (float) l.scale())).toList();
    }

    /** Images the run generates. */
    public int total() {
        return lines.size() * imagesPerPrompt;
    }

    /** As stored with the job and the evaluation row (names, never server paths). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("name", name);
        m.put("model", model);
        List<Map<String, Object>> l = new ArrayList<>();
        for (GenerateParams.Lora lora : loras) {
            l.add(Map.of("path", lora.name(), "scale", lora.scale()));
        }
        m.put("lora", l);
        m.put("prompts", prompts);
        m.put("prompts_used", lines.size());
        m.put("images_per_prompt", imagesPerPrompt);
        m.put("steps", steps);
        m.put("guidance", guidance);
        m.put("size", size);
        m.put("seed", seed);
        m.put("limit", limit);
        m.put("sampler", sampler);
        m.put("t5_length", t5Length);
        m.put("detector", detector);
        m.put("clip_text", clipText);
        m.put("real", real);
        m.put("features", features);
        return m;
    }
}
