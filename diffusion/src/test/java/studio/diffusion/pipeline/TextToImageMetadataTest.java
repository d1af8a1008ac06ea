package studio.diffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.image.PngFiles;
import studio.core.image.RgbImage;
import studio.diffusion.sampling.Guidance;
import studio.diffusion.text.TokenReport;

/** PNG generation metadata (A1111 parameters + studio JSON), the model folder resolver, request validation. */
class TextToImageMetadataTest {

    private static GenerationInfo info(String prompt, List<GenerationInfo.LoraUse> loras) {
        GenerationRequest r = GenerationRequest.builder(prompt).negative("blurry").seed(40).batch(2).steps(20)
                .guidance(5.5f).size(768, 512).sampler("dpmpp2m").t5Length(384).build();
        String t5Text = prompt + " the tail";
        TokenReport pos = new TokenReport(List.of(
                new TokenReport.Encoder("t5", t5Text, 400, 383, 383, 1, prompt.length() + 1, "the tail"),
                TokenReport.Encoder.whole("clip_l", prompt, 60)));
        return new GenerationInfo("sd3-medium", "/models/sd3-medium", r, 41, 1, 3.0, "f16", "cuda:0", loras, pos,
                new TokenReport(List.of()), Map.of("studio", "PanCap Studio 0.1.0", "djl", "0.35.1"));
    }

    @Test
    void parametersInA1111Layout() {
        GenerationInfo i = info("a cat", List.of(new GenerationInfo.LoraUse("style", "/l/style.safetensors", 0.8f,
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")));
        assertEquals("a cat\nNegative prompt: blurry\nSteps: 20, Sampler: DPM++ 2M, CFG scale: 5.5, Seed: 41, "
                + "Size: 768x512, Model: sd3-medium, Shift: 3.0, T5 length: 384, Lora hashes: \"style: 0123456789ab\", "
                + "Lora scales: \"style: 0.8\", Version: PanCap Studio 0.1.0", i.parameters());
    }

    @Test
    void pngCarriesBothChunksEvenForNonLatin1Prompts(@TempDir Path dir) throws Exception {
        String prompt = "a cat on a bench — 猫, 🐱";
        GenerationInfo i = info(prompt, List.of());
        Path png = dir.resolve("x.png");
        i.writePng(png, RgbImage.filled(4, 4, 10, 20, 30));
        Map<String, String> text = PngFiles.readText(png);
        assertTrue(text.get("parameters").startsWith(prompt + "\nNegative prompt: blurry\nSteps: 20"), text.get("parameters"));
        JsonNode j = new ObjectMapper().readTree(text.get("studio"));
        assertEquals(prompt, j.get("prompt").asText());
        assertEquals(41, j.get("seed").asLong());
        assertEquals(40, j.get("batch_seed").asLong());
        assertEquals(1, j.get("batch_index").asInt());
        assertEquals(384, j.get("t5_length").asInt());
        assertEquals(3.0, j.get("shift").asDouble());
        assertEquals("dpmpp_2m", j.get("sampler").asText());
        assertEquals("the tail", j.at("/token_report/prompt/0/dropped").asText());
        assertEquals(383, j.at("/token_report/prompt/0/kept").asInt());
        assertTrue(j.get("skip_layer_guidance").isNull());
        assertTrue(j.get("prompt_2").isNull());
        assertEquals("0.35.1", j.at("/versions/djl").asText());
    }

    @Test
    void perEncoderPromptsAndSkipLayerGuidanceAreRecorded() throws Exception {
        GenerationRequest r = GenerationRequest.builder("a cat").prompt2("a cat, oil").prompt3("a tabby cat on a sofa")
                .negative("blurry").negative3("blurry, jpeg").slg(Guidance.SkipLayer.sd35Medium()).build();
        assertEquals("a cat, oil", r.prompts().clipG());
        assertEquals("a cat", r.prompts().clipL());
        assertEquals("blurry", r.negatives().clipG());
        assertEquals("blurry, jpeg", r.negatives().t5());
        GenerationInfo i = new GenerationInfo("m", "/m", r, 0, 0, 3.0, "f32", "cpu", List.of(), new TokenReport(List.of()),
                new TokenReport(List.of()), Map.of());
        assertTrue(i.parameters().contains(", SLG: \"layers 7 8 9, scale 2.8, 1%-20% of steps\""), i.parameters());
        JsonNode j = new ObjectMapper().readTree(i.json());
        assertEquals("a tabby cat on a sofa", j.get("prompt_3").asText());
        assertEquals("blurry, jpeg", j.get("negative_prompt_3").asText());
        assertEquals("[7,8,9]", j.at("/skip_layer_guidance/layers").toString());
        assertEquals(0.2, j.at("/skip_layer_guidance/stop").asDouble(), 1e-6);
        assertTrue(assertThrows(BadInputException.class, () -> GenerationRequest.builder("x")
                .slg(new Guidance.SkipLayer(java.util.Set.of(1), 2.8f, 0.5f, 0.2f)).build()).getMessage().contains("--slg"));
    }

    @Test
    void modelFolderResolvesNamesUnderHomeAndPaths(@TempDir Path home) throws Exception {
        Path fixture = TextToImageParityTest.fixture("tiny-sd3");
        Files.createDirectories(home.resolve("models"));
        Files.createSymbolicLink(home.resolve("models/tiny"), fixture);
        ModelFolder byName = ModelFolder.resolve("tiny", home);
        assertEquals("tiny", byName.name());
        assertEquals(3.0, byName.shift());
        assertEquals(byName.root(), ModelFolder.resolve(home.resolve("models/tiny").toString(), home).root());
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFolder.resolve("nope", home));
        assertTrue(e.getMessage().contains("--model nope") && e.getMessage().contains("models there: tiny"), e.getMessage());
        Path broken = Files.createDirectories(home.resolve("broken/transformer"));
        Files.writeString(home.resolve("broken/model_index.json"), "{}");
        Files.createDirectories(home.resolve("broken/vae"));
        e = assertThrows(BadInputException.class, () -> ModelFolder.resolve(broken.getParent().toString(), home));
        assertTrue(e.getMessage().contains("scheduler_config.json"), e.getMessage());
    }

    @Test
    void requestValidationNamesTheOption() {
        assertTrue(assertThrows(BadInputException.class, () -> GenerationRequest.builder("x").steps(0).build())
                .getMessage().contains("--steps"));
        assertTrue(assertThrows(BadInputException.class, () -> GenerationRequest.builder("x").t5Length(513).build())
                .getMessage().contains("--t5-length"));
        assertTrue(assertThrows(BadInputException.class, () -> GenerationRequest.builder("x").sampler("ddim").build())
                .getMessage().contains("--sampler"));
        assertTrue(assertThrows(BadInputException.class, () -> GenerationRequest.builder("x").guidance(Float.NaN).build())
                .getMessage().contains("--guidance"));
        assertTrue(assertThrows(BadInputException.class, () -> LoraSpec.parse("/no/such.safetensors:0.5"))
                .getMessage().contains("--lora"));
    }
}
