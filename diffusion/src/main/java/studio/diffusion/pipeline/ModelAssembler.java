package studio.diffusion.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.io.AtomicFiles;
import studio.core.weights.LoadReport;
import studio.diffusion.mmdit.MmditConfig;
import studio.diffusion.mmdit.SD3Transformer;
import studio.diffusion.text.ClipTextModel;
import studio.diffusion.text.ClipTokenizer;
import studio.diffusion.text.ClipVisionModel;
import studio.diffusion.text.PromptEncoder;
import studio.diffusion.text.Prompts;
import studio.diffusion.text.T5Encoder;
import studio.diffusion.text.T5Tokenizer;
import studio.diffusion.text.TextOptions;
import studio.diffusion.train.TrainConfig;
import studio.diffusion.train.TrainTask;
import studio.diffusion.train.Trainables;
import studio.diffusion.vae.AutoencoderKL;

/**
 * Writes a diffusers-layout SD3 folder (SD3.md §1.1) from separately trained parts — pancap-tiny's tokenizers,
 * VAE, CLIP towers, T5 and MMDiT (configs/train/README.md, "pancap-tiny") — and proves it loads before anyone sees
 * it: the folder is built in a hidden sibling, every part is loaded strictly through the loaders
 * {@code studio generate} uses (missing, mis-shaped or unused tensors are errors naming the part), the whole
 * folder runs one denoising step through {@link TextToImage} (so the widths of the parts agree: T5 d_model =
 * joint_attention_dim, CLIP projections = pooled_projection_dim, VAE latent channels = in_channels), and only
 * then is it renamed to {@code out}.
 *
 * <p>Without a transformer it writes the "stage" folder that {@code encoders.text = sd3:<folder>} reads for
 * pretraining ({@code tokenizer*}, {@code text_encoder*}, optionally {@code vae/}), with no
 * {@code model_index.json}: it is not a pipeline yet.
 */
public final class ModelAssembler {
    /** The embedded-model budget (configs/train/README.md: "total ≤ 100 MB"); larger folders are flagged. */
    public static final long SIZE_LIMIT_BYTES = 100_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String WEIGHTS = Trainables.FULL_FILE;

    /**
     * Where the parts come from; null = not given. Each folder may be the part's own folder or one holding it
     * (a run folder, a stage folder, another model).
     *
     * @param tokenizers holds {@code tokenizer/}, {@code tokenizer_2/}, {@code tokenizer_3/}
     * @param clip holds {@code text_encoder/}, {@code text_encoder_2/} and optionally {@code image_encoder/}
     * @param t5 holds {@code text_encoder_3/} or is it
     * @param vae holds {@code vae/} or is it
     * @param transformer a diffusers {@code transformer/} folder, a {@code studio train} "full" run folder, or a
     *                    safetensors file next to either's {@code config.json}
     * @param ema from a run folder, take the EMA weights ({@code ema_diffusion_pytorch_model.safetensors})
     * @param shift the scheduler's shift (SD3: 3.0)
     */
    public record Sources(Path tokenizers, Path clip, Path t5, Path vae, Path transformer, boolean ema, double shift) {}

    /** One copied part: its folder name, where it came from, its size on disk and what the load check found. */
    public record Part(String name, String source, long bytes, String check) {}

    /** The assembled folder; {@code smoke} describes the one-step generation (null for a stage folder). */
    public record Result(Path out, boolean pipeline, List<Part> parts, long totalBytes, boolean overLimit, String smoke) {}

    private ModelAssembler() {}

    public static Result assemble(Path out, Sources s) throws IOException {
        checkOut(out);
        if (!(s.shift() > 0)) {
            throw new BadInputException("--shift", "must be > 0, got " + s.shift());
        }
        if (s.ema() && s.transformer() == null) {
            throw new BadInputException("--ema", "needs --transformer RUN_DIR");
        }
        // Resolve everything before writing anything, so a missing part fails fast and names its option.
        Map<String, Path> dirs = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        require(s.tokenizers(), "--tokenizers");
        for (String t : List.of("tokenizer", "tokenizer_2", "tokenizer_3")) {
            dirs.put(t, child(s.tokenizers(), t, "--tokenizers"));
        }
        require(s.clip(), "--clip");
        dirs.put("text_encoder", child(s.clip(), "text_encoder", "--clip"));
        dirs.put("text_encoder_2", child(s.clip(), "text_encoder_2", "--clip"));
        require(s.t5(), "--t5");
        dirs.put("text_encoder_3", selfOrChild(s.t5(), "text_encoder_3", "--t5"));
        if (s.vae() != null) {
            dirs.put("vae", selfOrChild(s.vae(), "vae", "--vae"));
        } else if (s.transformer() != null) {
            throw new BadInputException("--vae", "missing: a pipeline folder (with --transformer) needs the VAE");
        }
        Path image = s.clip().resolve("image_encoder");
        if (Files.isDirectory(image)) {
            dirs.put("image_encoder", image);
        }
        TransformerSource transformer = s.transformer() == null ? null : transformerSource(s.transformer(), s.ema());
        dirs.forEach((k, v) -> sources.put(k, v.toString()));
        if (transformer != null) {
            sources.put("transformer", transformer.weights().toString());
        }

        Path absOut = out.toAbsolutePath().normalize();
        Files.createDirectories(absOut.getParent());
        Path temp = Files.createTempDirectory(absOut.getParent(), "." + absOut.getFileName() + ".part-");
        try {
            for (Map.Entry<String, Path> e : dirs.entrySet()) {
                copyTree(e.getValue(), temp.resolve(e.getKey()));
            }
            if (transformer != null) {
                Path t = Files.createDirectories(temp.resolve("transformer"));
                Files.copy(transformer.weights(), t.resolve(WEIGHTS), StandardCopyOption.COPY_ATTRIBUTES);
                write(t.resolve("config.json"), transformer.config().toConfigJson());
                write(temp.resolve("scheduler/scheduler_config.json"), schedulerConfig(s.shift()));
                write(temp.resolve("model_index.json"), modelIndex());
            }
            Map<String, String> checks = new LinkedHashMap<>();
            String smoke = verify(temp, transformer != null, checks);
            List<Part> parts = new ArrayList<>();
            long total = 0;
            try (Stream<Path> top = Files.list(temp)) {
                for (Path p : top.sorted().toList()) {
                    String name = p.getFileName().toString();
                    long bytes = size(p);
                    total += bytes;
                    parts.add(new Part(name, sources.getOrDefault(name, "written"), bytes,
                            checks.getOrDefault(name, "written")));
                }
            }
            if (Files.exists(absOut)) {
                Files.delete(absOut); // checked empty above
            }
            Files.move(temp, absOut, StandardCopyOption.ATOMIC_MOVE);
            return new Result(absOut, transformer != null, parts, total, total > SIZE_LIMIT_BYTES, smoke);
        } finally {
            if (Files.exists(temp)) {
                deleteTree(temp);
            }
        }
    }

    /** The folder must not exist yet or be empty: assembling never replaces anything. */
    private static void checkOut(Path out) throws IOException {
        if (Files.exists(out)) {
            if (!Files.isDirectory(out)) {
                throw new BadInputException("--out " + out, "exists and is not a folder");
            }
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new BadInputException("--out " + out, "is not empty; refusing to overwrite (choose a new folder)");
                }
            }
        }
    }

    private static void require(Path p, String option) {
        if (p == null) {
            throw new BadInputException(option, "missing: every assembled folder needs it");
        }
        if (!Files.isDirectory(p)) {
            throw new BadInputException(option + " " + p, "no such folder");
        }
    }

    private static Path child(Path dir, String name, String option) {
        Path c = dir.resolve(name);
        if (!Files.isDirectory(c)) {
            throw new BadInputException(option + " " + dir, "has no " + name + "/ folder");
        }
        return c;
    }

    /** {@code dir/name} when it exists, else {@code dir} itself when it holds a config.json (it is the part). */
    private static Path selfOrChild(Path dir, String name, String option) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new BadInputException(option + " " + dir, "no such folder");
        }
        Path c = dir.resolve(name);
        if (Files.isDirectory(c)) {
            return c;
        }
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            return dir;
        }
        throw new BadInputException(option + " " + dir, "has no " + name + "/ folder and is not one (no config.json)");
    }

    private record TransformerSource(Path weights, MmditConfig config) {}

    /**
     * The weights file and the MMDiT shape. A diffusers folder carries its {@code config.json}; a {@code studio
     * train} run folder carries the run's config (task "full"), whose model preset or base path gives the shape
     * (the trainer writes {@code diffusion_pytorch_model.safetensors} and, with EMA, {@code ema_…} there).
     */
    private static TransformerSource transformerSource(Path given, boolean ema) throws IOException {
        String option = "--transformer " + given;
        if (!Files.exists(given)) {
            throw new BadInputException(option, "no such file or folder");
        }
        Path folder = Files.isDirectory(given) ? given : given.toAbsolutePath().getParent();
        Path config = folder.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new BadInputException(option, "no config.json (a diffusers transformer/ or a studio train run folder)");
        }
        JsonNode n = new ObjectMapper().readTree(config.toFile());
        if (n.has("task")) {
            TrainConfig c = TrainConfig.resolve(config, List.of());
            if (!c.task().equals("full")) {
                throw new BadInputException(option, "is a '" + c.task() + "' run; only a 'full' run holds a whole transformer");
            }
            Path weights = Files.isDirectory(given) ? folder.resolve((ema ? "ema_" : "") + WEIGHTS) : given;
            if (!Files.isRegularFile(weights)) {
                throw new BadInputException(option, "has no " + weights.getFileName() + " (has the run finished?)");
            }
            return new TransformerSource(weights, TrainTask.mmditConfig(c.model()));
        }
        if (ema) {
            throw new BadInputException("--ema", option + " is a diffusers folder; EMA weights come from a run folder");
        }
        Path weights = Files.isDirectory(given) ? folder.resolve(WEIGHTS) : given;
        if (!Files.isRegularFile(weights)) {
            throw new BadInputException(option, "has no " + WEIGHTS + " (sharded transformers are not assembled)");
        }
        return new TransformerSource(weights, MmditConfig.fromConfigJson(config));
    }

    /**
     * Loads every part of {@code dir} strictly; then either encodes one prompt (stage) or generates one image in one
     * step (pipeline). Records what each part's check found in {@code checks}; returns the smoke description.
     */
    private static String verify(Path dir, boolean pipeline, Map<String, String> checks) throws IOException {
        for (String t : List.of("tokenizer", "tokenizer_2")) {
            part(t, () -> {
                ClipTokenizer.load(dir.resolve(t));
                return "loads (CLIP BPE)";
            }, checks);
        }
        part("tokenizer_3", () -> {
            try (T5Tokenizer tok = T5Tokenizer.load(dir.resolve("tokenizer_3"))) {
                return "loads (T5)";
            }
        }, checks);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            int[] widths = new int[4]; // CLIP-L projection, CLIP-G projection, T5 d_model, VAE latent channels
            for (int i = 0; i < 2; i++) {
                String t = i == 0 ? "text_encoder" : "text_encoder_2";
                int k = i;
                part(t, () -> {
                    ClipTextModel clip = ClipTextModel.load(dir.resolve(t), m, Precision.F32);
                    widths[k] = clip.config().projectionDim();
                    return strict(clip.loadReport());
                }, checks);
            }
            part("text_encoder_3", () -> {
                T5Encoder t5 = T5Encoder.load(dir.resolve("text_encoder_3"), m, Precision.F32);
                widths[2] = t5.config().dModel();
                return strict(t5.loadReport());
            }, checks);
            if (Files.isDirectory(dir.resolve("vae"))) {
                part("vae", () -> {
                    AutoencoderKL vae = AutoencoderKL.load(dir.resolve("vae"), m);
                    widths[3] = vae.config().latentChannels();
                    return strict(vae.loadReport());
                }, checks);
            }
            if (Files.isDirectory(dir.resolve("image_encoder"))) {
                part("image_encoder", () -> {
                    ClipVisionModel.load(dir.resolve("image_encoder"), m, Precision.F32);
                    return "loads strictly";
                }, checks);
            }
            if (pipeline) {
                part("transformer", () -> {
                    SD3Transformer t = SD3Transformer.load(dir.resolve("transformer"), m, Precision.F32);
                    String report = strict(t.loadReport());
                    fits(t.config(), widths);
                    return report;
                }, checks);
            }
        }
        return pipeline ? generateOnce(dir) : encodeOnce(dir);
    }

    /** SD3's wiring (SD3.md §4.7): context = T5 width, pooled = CLIP-L + CLIP-G projections, latents = VAE channels. */
    private static void fits(MmditConfig c, int[] widths) {
        if (c.jointAttentionDim() != widths[2]) {
            throw new BadInputException("joint_attention_dim", c.jointAttentionDim() + " ≠ text_encoder_3 d_model " + widths[2]);
        }
        if (c.pooledProjectionDim() != widths[0] + widths[1]) {
            throw new BadInputException("pooled_projection_dim", c.pooledProjectionDim() + " ≠ text_encoder + text_encoder_2 "
                    + "projections " + widths[0] + " + " + widths[1]);
        }
        if (c.inChannels() != widths[3]) {
            throw new BadInputException("in_channels", c.inChannels() + " ≠ vae latent_channels " + widths[3]);
        }
    }

    private interface Check {
        String run() throws IOException;
    }

    private static void part(String name, Check check, Map<String, String> checks) throws IOException {
        try {
            checks.put(name, check.run());
        } catch (BadInputException e) {
            throw new BadInputException(name, e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new BadInputException(name, "does not load: " + e, e);
        }
    }

    /** Missing and mis-shaped keys already threw in the loader; unused tensors are an error here too. */
    private static String strict(LoadReport r) {
        if (!r.unused().isEmpty()) {
            throw new BadInputException(r.source(), "unused tensors: " + r.summary());
        }
        return "loads strictly (0 missing, 0 mis-shaped, 0 unused)";
    }

    /** The stage: the text side as {@code Sd3Text} reads it, one caption through all three encoders. */
    private static String encodeOnce(Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            try (PromptEncoder e = PromptEncoder.load(dir, m, Precision.F32, TextOptions.defaults());
                 studio.diffusion.text.Conditioning c = e.encode(Prompts.of("a red circle left of a blue square"), m)) {
                return "encoded one prompt: context " + c.context().get(0).getShape() + ", pooled "
                        + c.pooled().get(0).getShape();
            } catch (BadInputException e) {
                throw new BadInputException("text encoders", "do not fit together: " + e.getMessage(), e);
            }
        }
    }

    /** The pipeline: one Euler step at the transformer's native size through {@link TextToImage}, as generate runs it. */
    private static String generateOnce(Path dir) throws IOException {
        ModelFolder folder = ModelFolder.open(dir.getFileName().toString(), dir);
        try (TextToImage pipe = TextToImage.load(folder, Device.cpu(), Precision.F32, PromptConditioner.loader(Precision.F32),
                Map.of())) {
            int side = pipe.transformer().config().sampleSize() * pipe.vae().config().scaleFactor();
            GenerationRequest r = GenerationRequest.builder("a red circle left of a blue square").seed(0).steps(1)
                    .guidance(1f).size(side, side).t5Length(77).build();
            Generation g = pipe.generate(r, TextToImage.Progress.NONE);
            for (float v : g.latents()) {
                if (!Float.isFinite(v)) {
                    throw new BadInputException("transformer", "one denoising step gave non-finite latents");
                }
            }
            return "generated one " + side + "×" + side + " image in 1 step (latents " + java.util.Arrays.toString(g.latentShape()) + ")";
        } catch (BadInputException e) {
            if (e.where().equals("transformer")) {
                throw e;
            }
            throw new BadInputException("parts", "do not fit together: " + e.getMessage(), e);
        } catch (RuntimeException e) { // a shape error inside the engine: still the parts' fault, not ours
            throw new BadInputException("parts", "one generation step failed: " + e, e);
        }
    }

    /** diffusers' model_index.json for StableDiffusion3Pipeline (SD3.md §1.1); image_encoder is deliberately absent. */
    static ObjectNode modelIndex() {
        ObjectNode n = JSON.createObjectNode();
        n.put("_class_name", "StableDiffusion3Pipeline").put("_diffusers_version", "0.30.0");
        component(n, "scheduler", "diffusers", "FlowMatchEulerDiscreteScheduler");
        component(n, "text_encoder", "transformers", "CLIPTextModelWithProjection");
        component(n, "text_encoder_2", "transformers", "CLIPTextModelWithProjection");
        component(n, "text_encoder_3", "transformers", "T5EncoderModel");
        component(n, "tokenizer", "transformers", "CLIPTokenizer");
        component(n, "tokenizer_2", "transformers", "CLIPTokenizer");
        component(n, "tokenizer_3", "transformers", "T5TokenizerFast");
        component(n, "transformer", "diffusers", "SD3Transformer2DModel");
        component(n, "vae", "diffusers", "AutoencoderKL");
        return n;
    }

    private static void component(ObjectNode n, String name, String library, String cls) {
        ArrayNode a = n.putArray(name);
        a.add(library).add(cls);
    }

    /** FlowMatchEulerDiscreteScheduler as SD3 ships it (SD3.md §2.1): 1000 training timesteps, static shift. */
    static ObjectNode schedulerConfig(double shift) {
        ObjectNode n = JSON.createObjectNode();
        n.put("_class_name", "FlowMatchEulerDiscreteScheduler").put("_diffusers_version", "0.30.0")
                .put("num_train_timesteps", 1000).put("shift", shift).put("use_dynamic_shifting", false);
        return n;
    }

    private static void write(Path file, ObjectNode json) throws IOException {
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, (JSON.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Copies a folder's files, following symlinks (the test fixtures link their text encoders). */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from, FileVisitOption.FOLLOW_LINKS)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static long size(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
