package studio.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.core.BadInputException;
import studio.core.device.Devices;
import studio.core.device.Precision;
import studio.core.image.VideoWriter;
import studio.diffusion.pipeline.EmbeddingsConditioner;
import studio.diffusion.pipeline.Generation;
import studio.diffusion.pipeline.GenerationInfo;
import studio.diffusion.pipeline.GenerationRequest;
import studio.diffusion.pipeline.LoraSpec;
import studio.diffusion.pipeline.ModelFolder;
import studio.diffusion.pipeline.PromptConditioner;
import studio.diffusion.pipeline.TextToImage;
import studio.diffusion.sampling.Guidance;
import studio.diffusion.text.TokenReport;

/**
 * {@code studio generate} (ARCHITECTURE.md CLI contract): one request through {@link TextToImage}, PNGs with the
 * generation parameters, the token report on stdout (tokens per encoder and the exact text each one dropped),
 * progress on stderr. Prompts are encoded by the model folder's text encoders ({@link PromptConditioner}) unless
 * {@code --embeddings} gives precomputed ones.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Text to image with an SD3-style model (a diffusers folder or a name under models/).")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "pancap-tiny", description = "NAME under <home>/models or a diffusers folder (default ${DEFAULT-VALUE})")
    String model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptSource source;

    static final class PromptSource {
        @Option(names = "--prompt", required = true, description = "the prompt")
        String prompt;

        @Option(names = "--prompt-file", required = true, description = "a UTF-8 file holding the prompt")
        Path promptFile;
    }

    @Option(names = "--prompt-2", description = "CLIP-G's prompt (diffusers' prompt_2; default: the prompt)")
    String prompt2;

    @Option(names = "--prompt-3", description = "T5's prompt (diffusers' prompt_3; default: the prompt)")
    String prompt3;

    @Option(names = "--negative", defaultValue = "", description = "negative prompt (default none)")
    String negative;

    @Option(names = "--negative-2", description = "CLIP-G's negative prompt (default: the negative prompt)")
    String negative2;

    @Option(names = "--negative-3", description = "T5's negative prompt (default: the negative prompt)")
    String negative3;

    @Option(names = "--slg", defaultValue = "auto", description = "skip-layer guidance on, off or auto: SD3.5-medium's"
            + " recipe (layers 7, 8, 9, scale 2.8, 1-20%% of steps; with CFG only), auto = on for SD3.5-medium-shaped"
            + " transformers (default ${DEFAULT-VALUE})")
    String slg;

    @Option(names = "--steps", defaultValue = "28", description = "sampler steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--guidance", defaultValue = "7.0", description = "CFG scale; CFG runs when > 1 (default ${DEFAULT-VALUE})")
    float guidance;

    @Option(names = "--seed", description = "seed; image i of a batch uses seed + i (default: random, printed)")
    Long seed;

    @Option(names = "--width", description = "pixels, a multiple of 16 for SD3 (default: the model's sample size)")
    Integer width;

    @Option(names = "--height", description = "pixels, a multiple of 16 for SD3 (default: the model's sample size)")
    Integer height;

    @Option(names = "--lora", description = "LoRA FILE[:SCALE] (PEFT, kohya or ComfyUI keys); repeatable")
    List<String> loras = new ArrayList<>();

    @Option(names = "--out", required = true, description = "output FILE.png (batch: FILE-0.png, FILE-1.png, …)")
    Path out;

    @Option(names = "--batch", defaultValue = "1", description = "images per request (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--sampler", defaultValue = "euler", description = "euler, heun or dpmpp2m (default ${DEFAULT-VALUE})")
    String sampler;

    @Option(names = "--t5-length", defaultValue = "256", description = "T5 tokens, up to 512 (default ${DEFAULT-VALUE})")
    int t5Length;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "f32", description = "transformer dtype f32, bf16, f16; the VAE stays fp32 (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--video", description = "also write the denoising (x̂₀ per step) of image 0 as FILE.mp4 or FILE.gif")
    Path video;

    @Option(names = "--keep-encoders", description = "keep the text encoders resident while sampling (default: freed after encoding)")
    boolean keepEncoders;

    @Option(names = "--embeddings", description = "safetensors with prompt_embeds, pooled_prompt_embeds (and negative_*) to use instead of the text encoders")
    Path embeddings;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        checkPaths();
        String prompt = source.prompt != null ? source.prompt : readPrompt(source.promptFile);
        ModelFolder folder = ModelFolder.resolve(model, ModelFolder.studioHome());
        List<LoraSpec> specs = new ArrayList<>();
        loras.forEach(l -> specs.add(LoraSpec.parse(l)));
        long started = System.nanoTime();
        Precision precision = Precision.parse(dtype, "--dtype");
        try (TextToImage pipe = TextToImage.load(folder, Devices.parse(device, "--device"), precision,
                conditionerLoader(prompt, precision), Map.of("studio", new Main.Version().getVersion()[0]))) {
            GenerationRequest r = request(prompt, pipe, specs);
            Generation g = pipe.generate(r, progress(stderr));
            report(stdout, g.infos().get(0));
            write(stdout, g, r);
            stdout.printf(Locale.ROOT, "done in %.1f s (encode %.1f, sample %.1f, decode %.1f)%n",
                    (System.nanoTime() - started) / 1e9, g.seconds().get("encode"), g.seconds().get("sample"),
                    g.seconds().get("decode"));
        }
        return Main.EXIT_OK;
    }

    private GenerationRequest request(String prompt, TextToImage pipe, List<LoraSpec> specs) {
        int side = pipe.transformer().config().sampleSize() * pipe.vae().config().scaleFactor();
        return GenerationRequest.builder(prompt).prompt2(prompt2).prompt3(prompt3).negative(negative)
                .negative2(negative2).negative3(negative3)
                .seed(seed != null ? seed : new SecureRandom().nextInt(Integer.MAX_VALUE)).steps(steps)
                .guidance(guidance).size(width != null ? width : side, height != null ? height : side).batch(batch)
                .sampler(sampler).t5Length(t5Length).loras(specs).freeEncoders(!keepEncoders)
                .denoisingFrames(video != null).slg(skipLayer(pipe)).build();
    }

    /** --slg on/off/auto → the SD3.5-medium recipe or none (SD3.md §2.5). */
    private Guidance.SkipLayer skipLayer(TextToImage pipe) {
        switch (slg.toLowerCase(Locale.ROOT)) {
            case "auto": return pipe.defaultSkipLayer();
            case "on": return Guidance.SkipLayer.sd35Medium();
            case "off": return null;
            default: throw new BadInputException("--slg", "expected on, off or auto, got '" + slg + "'");
        }
    }

    private void checkPaths() {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".png")) {
            throw new BadInputException("--out " + out, "must end in .png");
        }
        if (video != null) {
            String v = video.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!v.endsWith(".mp4") && !v.endsWith(".gif")) {
                throw new BadInputException("--video " + video, "must end in .mp4 or .gif");
            }
        }
        if (embeddings != null && !Files.isRegularFile(embeddings)) {
            throw new BadInputException("--embeddings " + embeddings, "no such file");
        }
    }

    private static String readPrompt(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("--prompt-file " + file, "no such file");
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    /** The model folder's text encoders in the transformer's dtype, or --embeddings. */
    private TextToImage.ConditionerLoader conditionerLoader(String prompt, Precision precision) {
        if (embeddings != null) {
            return (folder, manager) -> new EmbeddingsConditioner(embeddings, prompt);
        }
        return PromptConditioner.loader(precision);
    }

    private static TextToImage.Progress progress(PrintWriter err) {
        return new TextToImage.Progress() {
            @Override public void phase(String name, double seconds) {
                err.printf(Locale.ROOT, "%s: %.2f s%n", name, seconds);
                err.flush();
            }

            @Override public void step(int step, int steps, float sigma, double seconds) {
                err.printf(Locale.ROOT, "step %d/%d  sigma %.4f  %.2f s%n", step + 1, steps, sigma, seconds);
                err.flush();
            }
        };
    }

    /** The token report: what each encoder kept and dropped of the prompt and the negative prompt. */
    private static void report(PrintWriter out, GenerationInfo info) {
        for (TokenReport p : List.of(info.promptReport(), info.negativeReport())) {
            if (p.encoders().isEmpty()) {
                continue; // no CFG: the negative prompt was not encoded
            }
            out.println(p == info.promptReport() ? "prompt:" : "negative prompt:");
            p.lines().forEach(l -> out.println("  " + l));
        }
    }

    private void write(PrintWriter stdout, Generation g, GenerationRequest r) {
        for (int i = 0; i < g.images().size(); i++) {
            Path file = g.images().size() == 1 ? out : numbered(out, i);
            g.infos().get(i).writePng(file, g.images().get(i));
            stdout.printf(Locale.ROOT, "wrote %s (%dx%d, seed %d)%n", file, r.width(), r.height(), g.infos().get(i).seed());
        }
        if (video != null) {
            double fps = Math.max(1, Math.min(12, g.frames().size() / 3.0));
            if (video.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gif")) {
                VideoWriter.writeGif(video, g.frames(), fps);
            } else {
                VideoWriter.writeMp4(video, g.frames(), fps);
            }
            stdout.printf(Locale.ROOT, "wrote %s (%d frames: x̂₀ per step, then the image)%n", video, g.frames().size());
        }
    }

    static Path numbered(Path png, int i) {
        String name = png.getFileName().toString();
        String stem = name.substring(0, name.length() - 4);
        return png.resolveSibling(stem + "-" + i + ".png");
    }
}
