package studio.diffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensors;
import studio.diffusion.Fixtures;
import studio.diffusion.mmdit.MmditConfig;
import studio.diffusion.sampling.Guidance;
import studio.diffusion.text.ClipTokenizer;
import studio.diffusion.text.T5Tokenizer;
import studio.diffusion.text.TokenReport;

/**
 * The whole loop against tools/reference/pipeline_reference.py: conditioning rows → latents → image, and prompt
 * text → token ids → conditioning → latents → image through the tiny folder's text encoders.
 */
class TextToImageParityTest {
    static SafeTensors expected;
    static TextToImage pipe;

    static Path fixture(String relative) {
        return Fixtures.mmdit("../pipeline/" + relative);
    }

    @BeforeAll
    static void load() throws Exception {
        expected = SafeTensors.open(fixture("expected.safetensors"));
        ModelFolder folder = ModelFolder.open("tiny-sd3", fixture("tiny-sd3"));
        pipe = TextToImage.load(folder, Device.cpu(), Precision.F32, (f, m) -> new FixedConditioner(expected),
                java.util.Map.of("studio", "test"));
    }

    @AfterAll
    static void close() throws Exception {
        pipe.close();
        expected.close();
    }

    static GenerationRequest.Builder request() {
        return GenerationRequest.builder("a red cube").size(32, 24).batch(2).seed(5);
    }

    @Test
    void casesMatchReference() {
        check("cfg", request().guidance(4f).steps(4).build(), null);
        check("cond", request().guidance(1f).steps(3).negative("ignored without CFG").build(), null);
        check("dpmpp", request().guidance(4f).steps(4).sampler("dpmpp2m").build(), null);
        LoraSpec lora = LoraSpec.parse(fixture("lora_peft.safetensors") + ":0.7");
        check("lora", request().guidance(4f).steps(4).loras(List.of(lora)).build(), lora);
        // the LoRA was detached after its request
        check("cfg", request().guidance(4f).steps(4).build(), null);
        // skip-layer guidance (SD3.md §2.5) on block 0 of 2, active on steps 1 and 2 of 4
        check("slg", request().guidance(4f).steps(4).slg(new Guidance.SkipLayer(Set.of(0), 2.8f, 0.1f, 0.6f)).build(), null);
    }

    @Test
    void skipLayerGuidanceDefaultsToSd35MediumShapedModelsOnly() {
        assertNull(pipe.defaultSkipLayer());
        assertTrue(TextToImage.sd35MediumShaped(MmditConfig.sd35Medium()));
        assertFalse(TextToImage.sd35MediumShaped(MmditConfig.sd3Medium()));
        assertFalse(TextToImage.sd35MediumShaped(MmditConfig.sd35Large()));
        BadInputException e = assertThrows(BadInputException.class, () -> pipe.generate(
                request().slg(Guidance.SkipLayer.sd35Medium()).build(), TextToImage.Progress.NONE));
        assertTrue(e.getMessage().contains("--slg") && e.getMessage().contains("2-block"), e.getMessage());
    }

    /** A 129-token prompt (two CLIP chunks, T5 cut at 63 of 198 pieces) and a short negative, with CFG. */
    @Test
    void promptTextMatchesReferenceTokenIdsAndLatents() throws Exception {
        JsonNode a = new ObjectMapper().readTree(expected.metadata().get("text"));
        String prompt = a.get("prompt").asText();
        String negative = a.get("negative").asText();
        int t5Length = a.get("t5_len").asInt();
        ModelFolder folder = pipe.folder();
        assertSameTokenIds(folder.root(), Map.of("prompt", prompt, "negative", negative), t5Length);
        try (TextToImage text = TextToImage.load(folder, Device.cpu(), Precision.F32,
                PromptConditioner.loader(Precision.F32), Map.of("studio", "test"))) {
            GenerationRequest r = GenerationRequest.builder(prompt).size(32, 24).batch(2).seed(5).negative(negative).guidance((float) a.get("guidance").asDouble())
                    .steps(a.get("steps").asInt()).t5Length(t5Length).build();
            Generation g = check(text, "text", r, null);
            TokenReport pos = g.infos().get(0).promptReport();
            TokenReport neg = g.infos().get(0).negativeReport();
            assertEquals(129, pos.encoder("clip_l").tokens());
            assertEquals(2, pos.encoder("clip_g").chunks());
            assertEquals(2, neg.encoder("clip_l").chunks(), "the short negative is padded to the prompt's chunks");
            TokenReport.Encoder t5 = pos.encoder("t5");
            assertEquals(198, t5.tokens());
            assertEquals(t5Length - 1, t5.kept());
            assertEquals(prompt.substring(t5.droppedFrom()), t5.dropped());
            assertFalse(t5.dropped().isEmpty() || neg.truncated());
        }
    }

    private static void assertSameTokenIds(Path root, Map<String, String> texts, int t5Length) throws Exception {
        ClipTokenizer l = ClipTokenizer.load(root.resolve("tokenizer"));
        ClipTokenizer g = ClipTokenizer.load(root.resolve("tokenizer_2"));
        try (T5Tokenizer t5 = T5Tokenizer.load(root.resolve("tokenizer_3"))) {
            for (Map.Entry<String, String> e : texts.entrySet()) {
                String key = "text." + e.getKey();
                assertArrayEquals(expected.readLongs(key + ".ids_l"), longs(l.encode(e.getValue()).ids()), key + " CLIP-L");
                assertArrayEquals(expected.readLongs(key + ".ids_g"), longs(g.encode(e.getValue()).ids()), key + " CLIP-G");
                assertArrayEquals(expected.readLongs(key + ".ids_t5"), t5.ids(t5.encode(e.getValue()), t5Length), key + " T5");
                System.out.printf("pipeline text %s: token ids identical (CLIP-L %d, CLIP-G %d, T5 %d positions)%n",
                        e.getKey(), l.encode(e.getValue()).size(), g.encode(e.getValue()).size(), t5Length);
            }
        }
    }

    private static long[] longs(int[] ids) {
        return Arrays.stream(ids).asLongStream().toArray();
    }

    private void check(String name, GenerationRequest r, LoraSpec lora) {
        check(pipe, name, r, lora);
    }

    private static Generation check(TextToImage pipe, String name, GenerationRequest r, LoraSpec lora) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray noise = Fixtures.get(expected, "noise", m);
            Generation g = pipe.generate(r, noise, TextToImage.Progress.NONE);
            NDArray latents = m.create(g.latents(), new Shape(g.latentShape()));
            Fixtures.assertClose("pipeline " + name + " latents", latents, Fixtures.get(expected, name + ".latents", m), 1e-4);
            float[] img = expected.readFloats(name + ".image");
            int worst = 0;
            for (int b = 0; b < 2; b++) {
                worst = Math.max(worst, maxPixelDiff(g.images().get(b), img, b));
            }
            System.out.printf("pipeline %s image: max 8-bit difference %d%n", name, worst);
            assertTrue(worst <= 1, name + ": 8-bit pixels differ by " + worst);
            if (lora != null) {
                assertEquals(1, g.infos().get(0).loras().size());
                assertEquals(0.7f, g.infos().get(0).loras().get(0).scale());
                assertEquals(64, g.infos().get(0).loras().get(0).sha256().length());
            }
            return g;
        }
    }

    /** Max |image − round(255·(x + 1)/2)| over sample b of the reference's [B, 3, 24, 32] float image. */
    private static int maxPixelDiff(RgbImage image, float[] ref, int b) {
        int h = 24;
        int w = 32;
        int worst = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = ref[((b * 3 + c) * h + y) * w + x];
                    int q = (int) Math.max(0, Math.min(255, Math.rint(255 * (v + 1) / 2)));
                    worst = Math.max(worst, Math.abs(image.get(x, y, c) - q));
                }
            }
        }
        return worst;
    }

    @Test
    void sameSeedSameImageAndBatchImageIIsSeedPlusI() {
        GenerationRequest.Builder b = request().guidance(4f).steps(2);
        Generation a = pipe.generate(b.build(), TextToImage.Progress.NONE);
        Generation again = pipe.generate(b.build(), TextToImage.Progress.NONE);
        Generation next = pipe.generate(b.seed(6).batch(1).build(), TextToImage.Progress.NONE);
        Generation other = pipe.generate(b.seed(99).batch(1).build(), TextToImage.Progress.NONE);
        assertEquals(a.images(), again.images());
        assertEquals(a.images().get(1), next.images().get(0));
        assertNotEquals(a.images().get(0), other.images().get(0));
        assertEquals(6, a.infos().get(1).seed());
    }

    @Test
    void sizeMustBeAMultipleAndTheErrorSaysOfWhat() {
        assertEquals(4, pipe.sizeMultiple()); // VAE factor 2 × patch 2 (16 for SD3)
        BadInputException e = assertThrows(BadInputException.class,
                () -> pipe.generate(request().size(30, 24).build(), TextToImage.Progress.NONE));
        assertTrue(e.getMessage().contains("--width") && e.getMessage().contains("multiple of 4"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> pipe.generate(request().size(32, 128).build(), TextToImage.Progress.NONE));
        assertTrue(e.getMessage().contains("at most 64"), e.getMessage());
    }

    @Test
    void progressFramesAndFreedEncoders() {
        int loads = FixedConditioner.loads;
        int closes = FixedConditioner.closes;
        List<String> events = new java.util.ArrayList<>();
        TextToImage.Progress p = new TextToImage.Progress() {
            @Override public void phase(String name, double seconds) {
                events.add(name);
            }

            @Override public void step(int step, int steps, float sigma, double seconds) {
                events.add("step " + step + "/" + steps);
            }
        };
        Generation g = pipe.generate(request().steps(3).batch(1).denoisingFrames(true).build(), p); // frees by default
        assertEquals(List.of("encode", "free encoders", "step 0/3", "step 1/3", "step 2/3", "sample", "decode"), events);
        assertEquals(4, g.frames().size(), "one x̂₀ frame per step plus the final image");
        assertEquals(g.images().get(0), g.frames().get(3));
        assertEquals(closes + 1, FixedConditioner.closes);
        pipe.generate(request().steps(1).batch(1).freeEncoders(false).build(), TextToImage.Progress.NONE);
        assertEquals(loads + 2, FixedConditioner.loads, "freed encoders are loaded again by the next request");
        pipe.generate(request().steps(1).batch(1).build(), TextToImage.Progress.NONE);
        assertEquals(loads + 2, FixedConditioner.loads, "kept encoders are reused");
        assertEquals(closes + 2, FixedConditioner.closes);
    }

    /** Previews every k steps (and the last) are the x̂₀ frames of those steps; asking for them changes no pixel. */
    @Test
    void previewsAreTheFramesOfEveryKthStepAndChangeNothing() {
        List<Integer> at = new java.util.ArrayList<>();
        List<studio.core.image.RgbImage> previews = new java.util.ArrayList<>();
        TextToImage.Progress p = new TextToImage.Progress() {
            @Override public int previewEvery() {
                return 2;
            }

            @Override public void preview(int step, int steps, studio.core.image.RgbImage image) {
                at.add(step);
                previews.add(image);
            }
        };
        Generation with = pipe.generate(request().steps(5).batch(1).denoisingFrames(true).build(), p);
        assertEquals(List.of(1, 3, 4), at, "after steps 2, 4 and the last (0-based 1, 3, 4)");
        assertEquals(with.frames().get(1), previews.get(0));
        assertEquals(with.frames().get(3), previews.get(1));
        assertEquals(with.frames().get(4), previews.get(2));
        Generation without = pipe.generate(request().steps(5).batch(1).build(), TextToImage.Progress.NONE);
        assertEquals(without.images().get(0), with.images().get(0));
    }
}
