package studio.diffusion.pipeline;

import java.util.List;
import java.util.Locale;
import studio.core.BadInputException;
import studio.diffusion.sampling.Guidance;
import studio.diffusion.text.Prompts;

/**
 * One text-to-image request; defaults are StableDiffusion3Pipeline's (SD3.md §2.5) except the T5 length, 256
 * (diffusers' default too) and at most 512. Invalid values fail with the CLI option's name. The size is checked
 * against the model by {@link TextToImage} (multiples of VAE factor × patch, 16 for SD3).
 *
 * @param prompt2 CLIP-G's text (diffusers' prompt_2), null for {@code prompt}
 * @param prompt3 T5's text (prompt_3), null for {@code prompt}
 * @param negative "" when none (as diffusers)
 * @param negative2 CLIP-G's negative (negative_prompt_2), null for {@code negative}
 * @param negative3 T5's negative (negative_prompt_3), null for {@code negative}
 * @param seed image i of the batch uses seed + i ({@link SeededNoise})
 * @param guidance classifier-free guidance scale; CFG runs iff guidance &gt; 1 (as diffusers)
 * @param sampler euler, heun or dpmpp_2m
 * @param freeEncoders close the text encoders after encoding (reloaded by the next request)
 * @param denoisingFrames also decode the predicted x̂₀ of every step (for a video of image 0)
 * @param slg skip-layer guidance (SD3.md §2.5, SD3.5), null for none; applied with CFG only (as diffusers)
 */
public record GenerationRequest(String prompt, String prompt2, String prompt3, String negative, String negative2,
                                String negative3, long seed, int steps, float guidance, int width, int height,
                                int batch, String sampler, int t5Length, List<LoraSpec> loras, boolean freeEncoders,
                                boolean denoisingFrames, Guidance.SkipLayer slg) {

    public static final int MAX_T5_LENGTH = 512;

    public GenerationRequest {
        if (prompt == null) {
            throw new BadInputException("--prompt", "missing");
        }
        negative = negative == null ? "" : negative;
        loras = List.copyOf(loras);
        sampler = sampler.toLowerCase(Locale.ROOT).replace("dpmpp2m", "dpmpp_2m");
        check(steps >= 1 && steps <= 1000, "--steps", "must be 1..1000, got " + steps);
        check(Float.isFinite(guidance) && guidance >= 0, "--guidance", "must be a finite number ≥ 0, got " + guidance);
        check(width > 0 && height > 0 && width <= 8192 && height <= 8192, "--width/--height",
                "must be 1..8192, got " + width + "x" + height);
        check(batch >= 1 && batch <= 64, "--batch", "must be 1..64, got " + batch);
        check(List.of("euler", "heun", "dpmpp_2m").contains(sampler), "--sampler",
                "unknown '" + sampler + "', expected euler, heun or dpmpp2m");
        check(t5Length >= 1 && t5Length <= MAX_T5_LENGTH, "--t5-length", "must be 1.." + MAX_T5_LENGTH + ", got " + t5Length);
        check(slg == null || Float.isFinite(slg.scale()) && 0 <= slg.start() && slg.start() < slg.stop()
                && slg.stop() <= 1 && slg.layers().stream().allMatch(l -> l >= 0), "--slg",
                "needs layers ≥ 0, a finite scale and 0 ≤ start < stop ≤ 1, got " + slg);
    }

    /** The positive texts per encoder (prompt_2 / prompt_3 default to prompt, SD3.md §4.7). */
    public Prompts prompts() {
        return new Prompts(prompt, prompt2, prompt3);
    }

    /** The negative texts per encoder (negative_prompt_2 / _3 default to negative_prompt). */
    public Prompts negatives() {
        return new Prompts(negative, negative2, negative3);
    }

    private static void check(boolean ok, String field, String problem) {
        if (!ok) {
            throw new BadInputException(field, problem);
        }
    }

    /** SD3 defaults: 1024², 28 Euler steps, guidance 7.0, T5 length 256, seed 0, batch 1; encoders freed, no SLG. */
    public static Builder builder(String prompt) {
        return new Builder(prompt);
    }

    public boolean cfg() {
        return guidance > 1f;
    }

    /** A mutable builder over the defaults. */
    public static final class Builder {
        private final String prompt;
        private String prompt2;
        private String prompt3;
        private String negative = "";
        private String negative2;
        private String negative3;
        private long seed;
        private int steps = 28;
        private float guidance = 7.0f;
        private int width = 1024;
        private int height = 1024;
        private int batch = 1;
        private String sampler = "euler";
        private int t5Length = 256;
        private List<LoraSpec> loras = List.of();
        private boolean freeEncoders = true;
        private boolean denoisingFrames;
        private Guidance.SkipLayer slg;

        private Builder(String prompt) {
            this.prompt = prompt;
        }

        public Builder prompt2(String v) { prompt2 = v; return this; }
        public Builder prompt3(String v) { prompt3 = v; return this; }
        public Builder negative(String v) { negative = v; return this; }
        public Builder negative2(String v) { negative2 = v; return this; }
        public Builder negative3(String v) { negative3 = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder steps(int v) { steps = v; return this; }
        public Builder guidance(float v) { guidance = v; return this; }
        public Builder size(int w, int h) { width = w; height = h; return this; }
        public Builder batch(int v) { batch = v; return this; }
        public Builder sampler(String v) { sampler = v; return this; }
        public Builder t5Length(int v) { t5Length = v; return this; }
        public Builder loras(List<LoraSpec> v) { loras = v; return this; }
        public Builder freeEncoders(boolean v) { freeEncoders = v; return this; }
        public Builder denoisingFrames(boolean v) { denoisingFrames = v; return this; }
        public Builder slg(Guidance.SkipLayer v) { slg = v; return this; }

        public GenerationRequest build() {
            return new GenerationRequest(prompt, prompt2, prompt3, negative, negative2, negative3, seed, steps, guidance,
                    width, height, batch, sampler, t5Length, loras, freeEncoders, denoisingFrames, slg);
        }
    }
}
