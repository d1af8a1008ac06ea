package studio.eval.geneval;

import java.nio.file.Path;
import java.util.List;
import studio.core.data.geneval.GenevalPromptLine;
import studio.diffusion.pipeline.Generation;
import studio.diffusion.pipeline.GenerationRequest;
import studio.diffusion.pipeline.LoraSpec;
import studio.diffusion.pipeline.TextToImage;

/**
 * The runner's images from {@link TextToImage}, one request per image (batch 1, so an image does not depend on
 * which others were generated with it and a resumed run makes the same pixels), as {@code studio generate}
 * makes them: the PNG carries the generation parameters and the seed. The text encoders stay resident between
 * requests (a GenEval run encodes thousands of prompts).
 */
public final class PipelineSamples implements GenevalRunner.SampleGenerator {
    private final TextToImage pipe;
    private final List<LoraSpec> loras;
    private final int steps;
    private final float guidance;
    private final int width;
    private final int height;
    private final String sampler;
    private final int t5Length;

    public PipelineSamples(TextToImage pipe, List<LoraSpec> loras, int steps, float guidance, int width, int height,
                           String sampler, int t5Length) {
        this.pipe = pipe;
        this.loras = List.copyOf(loras);
        this.steps = steps;
        this.guidance = guidance;
        this.width = width;
        this.height = height;
        this.sampler = sampler;
        this.t5Length = t5Length;
    }

    @Override
    public void generate(GenevalPromptLine prompt, long seed, Path png) {
        GenerationRequest r = GenerationRequest.builder(prompt.prompt()).seed(seed).steps(steps).guidance(guidance)
                .size(width, height).batch(1).sampler(sampler).t5Length(t5Length).loras(loras).freeEncoders(false)
                .slg(pipe.defaultSkipLayer()).build();
        Generation g = pipe.generate(r, TextToImage.Progress.NONE);
        g.infos().get(0).writePng(png, g.images().get(0)); // atomic (PngFiles → AtomicFiles)
    }
}
