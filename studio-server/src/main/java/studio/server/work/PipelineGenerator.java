package studio.server.work;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import studio.core.device.Precision;
import studio.core.image.RgbImage;
import studio.diffusion.pipeline.Generation;
import studio.diffusion.pipeline.GenerationInfo;
import studio.diffusion.pipeline.GenerationRequest;
import studio.diffusion.pipeline.LoraSpec;
import studio.diffusion.pipeline.ModelFolder;
import studio.diffusion.pipeline.PromptConditioner;
import studio.diffusion.pipeline.TextToImage;

/**
 * {@link ImageGenerator} over {@link TextToImage}: the last model used stays loaded (transformer and VAE resident,
 * text encoders freed after each encoding), another model replaces it. Only the device worker calls this.
 */
public final class PipelineGenerator implements ImageGenerator {
    private final Device device;
    private final Precision precision;
    private final TextToImage.ConditionerLoader conditioners;
    private final Map<String, String> versions;
    private TextToImage loaded;

    public PipelineGenerator(Device device, Precision precision, TextToImage.ConditionerLoader conditioners,
                             Map<String, String> versions) {
        this.device = device;
        this.precision = precision;
        this.conditioners = conditioners;
        this.versions = versions;
    }

    /** The text side for folders with text encoders (CLIP-L, CLIP-G, T5) in {@code precision}. */
    public static TextToImage.ConditionerLoader textEncoders(Precision precision) {
        return PromptConditioner.loader(precision);
    }

    @Override
    public List<Image> generate(GenerateParams p, StepListener listener) throws Exception {
        TextToImage pipe = pipeline(p);
        int side = pipe.transformer().config().sampleSize() * pipe.vae().config().scaleFactor();
        List<LoraSpec> loras = new ArrayList<>();
        for (GenerateParams.Lora l : p.loras()) {
            loras.add(new LoraSpec(l.file(), (float) l.scale()));
        }
        GenerationRequest r = GenerationRequest.builder(p.prompt()).prompt2(p.prompt2()).prompt3(p.prompt3())
                .negative(p.negative()).negative2(p.negative2()).negative3(p.negative3()).seed(p.seed())
                .steps(p.steps()).guidance((float) p.guidance())
                .size(p.width() != null ? p.width() : side, p.height() != null ? p.height() : side).batch(p.batch())
                .sampler(p.sampler()).t5Length(p.t5Length()).loras(loras).freeEncoders(true)
                .slg(pipe.defaultSkipLayer()).build(); // as studio generate's --slg auto
        Generation g = pipe.generate(r, new TextToImage.Progress() {
            @Override
            public void step(int step, int steps, float sigma, double seconds) {
                listener.step(step + 1, steps);
            }

            @Override
            public int previewEvery() {
                return listener.previewEvery();
            }

            @Override
            public void preview(int step, int steps, RgbImage image) {
                listener.preview(step + 1, steps, image);
            }
        });
        List<Image> out = new ArrayList<>();
        for (int i = 0; i < g.images().size(); i++) {
            out.add(new PipelineImage(g.images().get(i), g.infos().get(i), r.width(), r.height()));
        }
        return out;
    }

    private TextToImage pipeline(GenerateParams p) throws java.io.IOException {
        Path root = p.modelDir();
        if (loaded != null && loaded.folder().root().equals(root.toAbsolutePath().normalize())) {
            return loaded;
        }
        close();
        loaded = open(ModelFolder.open(p.model(), root));
        return loaded;
    }

    @Override
    public TextToImage open(ModelFolder folder) throws java.io.IOException {
        return TextToImage.load(folder, device, precision, conditioners, versions);
    }

    @Override
    public String device() {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    private record PipelineImage(RgbImage pixels, GenerationInfo info, int width, int height) implements Image {
        @Override
        public long seed() {
            return info.seed();
        }

        @Override
        public Map<String, Object> metadata() {
            return info.toJson();
        }

        @Override
        public void writePng(Path file) {
            info.writePng(file, pixels);
        }
    }

    @Override
    public void close() {
        if (loaded != null) {
            loaded.close();
            loaded = null;
        }
    }
}
