package studio.diffusion.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.core.BadInputException;
import studio.core.device.Devices;
import studio.core.device.Precision;
import studio.core.image.ImageTensors;
import studio.core.image.RgbImage;
import studio.diffusion.lora.Lora;
import studio.diffusion.lora.LoraNames;
import studio.diffusion.mmdit.MmditConfig;
import studio.diffusion.mmdit.SD3Transformer;
import studio.diffusion.sampling.Guidance;
import studio.diffusion.sampling.Samplers;
import studio.diffusion.text.Conditioning;
import studio.diffusion.text.Prompts;
import studio.diffusion.text.TokenReport;
import studio.diffusion.vae.AutoencoderKL;

/**
 * SD3 text-to-image (StableDiffusion3Pipeline, SD3.md §2.5), in four visible memory phases, each reported to
 * {@link Progress#phase} when it ends:
 * <ol>
 *   <li><b>encode</b> the prompts (text encoders resident: loaded by the {@link ConditionerLoader}, by default
 *       {@link PromptConditioner}, into a sub-manager of their own);</li>
 *   <li><b>free the encoders</b> (the default; T5-XXL alone is 9.5 GB in fp16; reloaded by the next request);</li>
 *   <li><b>sample</b>: seeded noise → sampler over the MMDiT (+ this request's LoRAs) → latents;</li>
 *   <li><b>decode</b> the latents with the fp32 VAE, one image at a time → 8-bit images.</li>
 * </ol>
 * The transformer and the VAE stay resident between requests. One thread (the device worker) uses an instance.
 */
public final class TextToImage implements AutoCloseable {

    /** Loads the text side of a model folder into a manager (the text encoders' precision is the loader's choice). */
    @FunctionalInterface
    public interface ConditionerLoader {
        Conditioner load(ModelFolder folder, NDManager manager) throws IOException;
    }

    /**
     * Progress reports: a phase ended after {@code seconds}; a sampler step ended; optionally, every
     * {@link #previewEvery()}-th step (and the last), a preview of image 0: the VAE decode of that step's predicted
     * x̂₀ (the same decode as {@link GenerationRequest#denoisingFrames()}). Off by default, so a caller that does not
     * ask pays nothing and gets the same pixels.
     */
    public interface Progress {
        default void phase(String name, double seconds) {}

        default void step(int step, int steps, float sigma, double seconds) {}

        /** Steps between previews; 0 (the default) for none. */
        default int previewEvery() {
            return 0;
        }

        /** The decoded x̂₀ of image 0 after step {@code step} (0-based) of {@code steps}. */
        default void preview(int step, int steps, RgbImage image) {}

        Progress NONE = new Progress() {};
    }

    private final ModelFolder folder;
    private final NDManager manager;
    private final SD3Transformer transformer;
    private final AutoencoderKL vae;
    private final ConditionerLoader loader;
    private final Map<String, String> versions;
    private NDManager textManager;
    private Conditioner conditioner; // null while freed

    private TextToImage(ModelFolder folder, NDManager manager, SD3Transformer transformer, AutoencoderKL vae,
                        ConditionerLoader loader, Map<String, String> versions) {
        this.folder = folder;
        this.manager = manager;
        this.transformer = transformer;
        this.vae = vae;
        this.loader = loader;
        this.versions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(versions)); // stable JSON order
        if (vae.config().latentChannels() != transformer.config().inChannels()) {
            throw new BadInputException(folder.root().toString(), "VAE latent_channels " + vae.config().latentChannels()
                    + " ≠ transformer in_channels " + transformer.config().inChannels());
        }
    }

    /**
     * Loads the transformer in {@code precision} and the VAE in fp32 on {@code device}; text encoders are loaded
     * lazily by {@code loader} at the first request. {@code versions} go into every image's metadata.
     */
    public static TextToImage load(ModelFolder folder, Device device, Precision precision, ConditionerLoader loader,
                                   Map<String, String> versions) throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            SD3Transformer transformer = SD3Transformer.load(folder.transformer(), manager, precision);
            AutoencoderKL vae = AutoencoderKL.load(folder.vae(), manager);
            Map<String, String> v = new LinkedHashMap<>(versions);
            v.putIfAbsent("djl", ai.djl.engine.Engine.getDjlVersion());
            v.putIfAbsent("libtorch", ai.djl.engine.Engine.getInstance().getVersion());
            return new TextToImage(folder, manager, transformer, vae, loader, v);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ModelFolder folder() {
        return folder;
    }

    public SD3Transformer transformer() {
        return transformer;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    /**
     * The skip-layer guidance a request gets by default: diffusers' SD3.5-medium recipe (layers 7, 8, 9, scale
     * 2.8, 1 %–20 % of the steps, SD3.md §2.5) when the transformer is SD3.5-medium-shaped, none otherwise.
     */
    public Guidance.SkipLayer defaultSkipLayer() {
        return sd35MediumShaped(transformer.config()) ? Guidance.SkipLayer.sd35Medium() : null;
    }

    /** 24 MMDiT-X blocks with dual attention (SD3.5-medium, SD3.md §1.4.3): SD3-medium has none, 3.5-large 38 blocks. */
    static boolean sd35MediumShaped(MmditConfig c) {
        return c.numLayers() == 24 && !c.dualAttentionLayers().isEmpty();
    }

    /** Image sides must be multiples of this: VAE factor × patch size (8 × 2 = 16 for SD3, §2.5). */
    public int sizeMultiple() {
        return vae.config().scaleFactor() * transformer.config().patchSize();
    }

    /** Generates with seeded noise ({@link SeededNoise}: image i from seed + i). */
    public Generation generate(GenerationRequest r, Progress progress) {
        checkSize(r);
        int f = vae.config().scaleFactor();
        try (NDManager noiseScope = manager.newSubManager()) {
            NDArray noise = SeededNoise.gaussian(noiseScope, r.seed(), r.batch(), transformer.config().inChannels(),
                    r.height() / f, r.width() / f);
            return generate(r, noise, progress);
        }
    }

    /** Generates from given initial latents [B, C, H/f, W/f] fp32 (diffusers' {@code latents=}); noise is not closed. */
    public Generation generate(GenerationRequest r, NDArray noise, Progress progress) {
        checkSize(r);
        Map<String, Double> seconds = new LinkedHashMap<>();
        try (NDManager run = manager.newSubManager()) {
            // Phase 1: encode. Phase 2: free the encoders if asked.
            long t0 = System.nanoTime();
            Conditioning c = encode(r, run);
            seconds.put("encode", phase(progress, "encode", t0));
            if (r.freeEncoders()) {
                long t1 = System.nanoTime();
                freeEncoders();
                seconds.put("free_encoders", phase(progress, "free encoders", t1));
            }
            // Phase 3: sample, with this request's LoRAs attached.
            long t2 = System.nanoTime();
            List<GenerationInfo.LoraUse> loras = attachLoras(r, run);
            List<RgbImage> frames = new ArrayList<>();
            NDArray latents;
            try {
                latents = sample(r, c, noise, run, frames, progress);
            } finally {
                for (int i = 0; i < loras.size(); i++) {
                    Lora.detach(transformer.linears(), "request" + i);
                }
            }
            seconds.put("sample", phase(progress, "sample", t2));
            // Phase 4: decode.
            long t3 = System.nanoTime();
            List<RgbImage> images = decode(latents);
            seconds.put("decode", phase(progress, "decode", t3));
            if (r.denoisingFrames()) {
                frames.add(images.get(0));
            }
            return new Generation(images, infos(r, loras, c), latents.toFloatArray(), latents.getShape().getShape(),
                    frames, seconds);
        }
    }

    /** Closes the text encoders now; the next request loads them again. */
    public void freeEncoders() {
        if (conditioner != null) {
            conditioner.close();
            conditioner = null;
        }
        if (textManager != null) {
            textManager.close();
            textManager = null;
        }
    }

    private void checkSize(GenerationRequest r) {
        int m = sizeMultiple();
        for (int[] side : new int[][] {{r.width(), 'w'}, {r.height(), 'h'}}) {
            if (side[0] % m != 0) {
                String field = side[1] == 'w' ? "--width" : "--height";
                throw new BadInputException(field, side[0] + " is not a multiple of " + m + " (VAE factor "
                        + vae.config().scaleFactor() + " × patch " + transformer.config().patchSize() + "); try "
                        + Math.max(m, Math.round((float) side[0] / m) * m));
            }
        }
        int grid = transformer.config().posEmbedMaxSize() * m;
        if (r.width() > grid || r.height() > grid) {
            throw new BadInputException("--width/--height", "at most " + grid + " pixels per side for this model"
                    + " (pos_embed_max_size " + transformer.config().posEmbedMaxSize() + ")");
        }
        int depth = transformer.config().numLayers();
        if (r.slg() != null && r.slg().layers().stream().anyMatch(l -> l >= depth)) {
            throw new BadInputException("--slg", "layers " + r.slg().layers() + " do not exist in this "
                    + depth + "-block transformer (SD3.5-medium, which the recipe is for, has 24)");
        }
    }

    /** [neg, pos] (or [pos] without CFG) encoded once, rows repeated to [uncond × B, cond × B]. */
    private Conditioning encode(GenerationRequest r, NDManager run) {
        if (conditioner == null) {
            textManager = manager.newSubManager();
            try {
                conditioner = loader.load(folder, textManager);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<Prompts> prompts = r.cfg() ? List.of(r.negatives(), r.prompts()) : List.of(r.prompts());
        Conditioning c = conditioner.encode(prompts, r.t5Length(), run);
        int b = r.batch();
        NDList ctx = new NDList();
        NDList pooled = new NDList();
        for (int i = 0; i < prompts.size(); i++) {
            ctx.add(c.context().get(i + ":" + (i + 1)).repeat(0, b));
            pooled.add(c.pooled().get(i + ":" + (i + 1)).repeat(0, b));
        }
        return new Conditioning(NDArrays.concat(ctx, 0), NDArrays.concat(pooled, 0), repeat(c.reports(), b));
    }

    private static List<TokenReport> repeat(List<TokenReport> reports, int b) {
        List<TokenReport> out = new ArrayList<>();
        for (TokenReport p : reports) {
            for (int i = 0; i < b; i++) {
                out.add(p);
            }
        }
        return out;
    }

    private List<GenerationInfo.LoraUse> attachLoras(GenerationRequest r, NDManager run) {
        List<GenerationInfo.LoraUse> uses = new ArrayList<>();
        LoraNames names = new LoraNames(transformer.config(), transformer.linears().keySet());
        try {
            for (LoraSpec spec : r.loras()) {
                Lora lora = Lora.load(spec.file(), names, run);
                lora.attach(transformer.linears(), "request" + uses.size(), spec.scale());
                uses.add(new GenerationInfo.LoraUse(spec.name(), spec.file().toString(), spec.scale(), spec.sha256()));
            }
        } catch (IOException | RuntimeException e) {
            for (int i = 0; i <= uses.size(); i++) {
                Lora.detach(transformer.linears(), "request" + i);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        return uses;
    }

    private NDArray sample(GenerationRequest r, Conditioning c, NDArray noise, NDManager run, List<RgbImage> frames,
                           Progress progress) {
        NDArray x = noise.duplicate();
        x.attach(run);
        Samplers.Denoiser d = Denoisers.of(transformer, c.context(), c.pooled(), r.guidance(), r.slg(), r.steps());
        long t0 = System.nanoTime();
        int every = progress.previewEvery();
        Samplers.StepCallback cb = s -> {
            boolean preview = every > 0 && ((s.i() + 1) % every == 0 || s.i() + 1 == s.steps());
            if (r.denoisingFrames() || preview) {
                RgbImage frame;
                try (NDArray x0 = s.denoised().get("0:1"); NDArray img = vae.decode(x0)) {
                    frame = ImageTensors.toImages(img, ImageTensors.Range.SIGNED).get(0);
                }
                if (r.denoisingFrames()) {
                    frames.add(frame);
                }
                if (preview) {
                    progress.preview(s.i(), s.steps(), frame);
                }
            }
            progress.step(s.i(), s.steps(), s.sigma(), (System.nanoTime() - t0) / 1e9);
        };
        return Samplers.byName(r.sampler()).sample(d, x, folder.flow().sigmas(r.steps()), cb);
    }

    /** One image at a time (peak VAE memory of a single image, diffusers' VAE slicing). */
    private List<RgbImage> decode(NDArray latents) {
        List<RgbImage> images = new ArrayList<>();
        long b = latents.getShape().get(0);
        for (long i = 0; i < b; i++) {
            try (NDArray one = latents.get(i + ":" + (i + 1)); NDArray img = vae.decode(one)) {
                images.add(ImageTensors.toImages(img, ImageTensors.Range.SIGNED).get(0));
            }
        }
        return images;
    }

    private List<GenerationInfo> infos(GenerationRequest r, List<GenerationInfo.LoraUse> loras, Conditioning c) {
        List<GenerationInfo> infos = new ArrayList<>();
        TokenReport pos = c.reports().get(c.reports().size() - 1);
        TokenReport neg = r.cfg() ? c.reports().get(0) : new TokenReport(List.of()); // no CFG: negative unused
        for (int i = 0; i < r.batch(); i++) {
            infos.add(new GenerationInfo(folder.name(), folder.root().toString(), r, r.seed() + i, i, folder.shift(),
                    transformer.precision().name().toLowerCase(java.util.Locale.ROOT), Devices.format(manager.getDevice()),
                    loras, pos, neg, versions));
        }
        return infos;
    }

    private static double phase(Progress progress, String name, long start) {
        double s = (System.nanoTime() - start) / 1e9;
        progress.phase(name, s);
        return s;
    }

    @Override
    public void close() {
        freeEncoders();
        manager.close();
    }
}
