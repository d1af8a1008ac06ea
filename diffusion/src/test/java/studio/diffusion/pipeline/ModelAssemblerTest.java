package studio.diffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.diffusion.Fixtures;
import studio.diffusion.mmdit.MmditConfig;

/** {@link ModelAssembler} on the committed tiny random-weight SD3 parts (fixtures/pipeline/tiny-sd3). */
class ModelAssemblerTest {
    private static final Path TINY = TextToImageParityTest.fixture("tiny-sd3");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static ModelAssembler.Sources all(Path transformer, boolean ema) {
        return new ModelAssembler.Sources(TINY, TINY, TINY, TINY, transformer, ema, 3.0);
    }

    @Test
    void assemblesALoadableDiffusersFolder() throws Exception {
        Path out = dir.resolve("model");
        ModelAssembler.Result r = ModelAssembler.assemble(out, all(TINY.resolve("transformer"), false));
        assertTrue(r.pipeline());
        assertTrue(r.smoke().startsWith("generated one 16×16 image"), r.smoke());
        List<String> names = r.parts().stream().map(ModelAssembler.Part::name).toList();
        assertEquals(List.of("model_index.json", "scheduler", "text_encoder", "text_encoder_2", "text_encoder_3",
                "tokenizer", "tokenizer_2", "tokenizer_3", "transformer", "vae"), names);
        assertEquals(r.parts().stream().mapToLong(ModelAssembler.Part::bytes).sum(), r.totalBytes());
        assertFalse(r.overLimit());
        JsonNode index = JSON.readTree(out.resolve("model_index.json").toFile());
        assertEquals("StableDiffusion3Pipeline", index.get("_class_name").asText());
        assertEquals("T5EncoderModel", index.get("text_encoder_3").get(1).asText());
        assertEquals("T5TokenizerFast", index.get("tokenizer_3").get(1).asText());
        assertEquals("SD3Transformer2DModel", index.get("transformer").get(1).asText());
        assertFalse(index.has("image_encoder"));
        // the folder opens the way studio generate opens it, and generates
        ModelFolder folder = ModelFolder.open("model", out);
        assertEquals(3.0, folder.shift());
        try (TextToImage pipe = TextToImage.load(folder, Device.cpu(), Precision.F32, PromptConditioner.loader(Precision.F32), Map.of())) {
            assertEquals(MmditConfig.fromConfigJson(TINY.resolve("transformer/config.json")), pipe.transformer().config());
            Generation g = pipe.generate(GenerationRequest.builder("two red circles").seed(1).steps(2).size(16, 16).build(),
                    TextToImage.Progress.NONE);
            assertEquals(1, g.images().size());
        }
        // no temporary folder left beside it; the copies are files, not links back to the fixture
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(out), s.toList());
        }
        assertFalse(Files.isSymbolicLink(out.resolve("text_encoder")));
    }

    @Test
    void withoutATransformerWritesTheTextStage() throws Exception {
        Path out = dir.resolve("stage");
        ModelAssembler.Result r = ModelAssembler.assemble(out, new ModelAssembler.Sources(TINY, TINY, TINY, null, null, false, 3.0));
        assertFalse(r.pipeline());
        assertTrue(r.smoke().startsWith("encoded one prompt"), r.smoke());
        assertFalse(Files.exists(out.resolve("model_index.json")));
        assertTrue(Files.isDirectory(out.resolve("text_encoder_3")));
        // what training's encoders.text = sd3:<stage> reads
        try (studio.diffusion.train.Sd3Text t = studio.diffusion.train.Sd3Text.load(out, Precision.F32, 16);
             ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            assertEquals(77 + 16, t.encode(m, "a red circle").context().getShape().get(0));
        }
    }

    @Test
    void refusesANonEmptyOutAndLeavesItAlone() throws Exception {
        Path out = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        BadInputException e = assertThrows(BadInputException.class,
                () -> ModelAssembler.assemble(out, all(TINY.resolve("transformer"), false)));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of(out.resolve("keep.txt")), s.toList());
        }
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
        // an empty folder is fine
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(ModelAssembler.assemble(empty, all(TINY.resolve("transformer"), false)).pipeline());
    }

    @Test
    void aMissingPartNamesItsOptionAndWritesNothing() throws Exception {
        Path out = dir.resolve("model");
        BadInputException noT5 = assertThrows(BadInputException.class, () -> ModelAssembler.assemble(out,
                new ModelAssembler.Sources(TINY, TINY, null, TINY, TINY.resolve("transformer"), false, 3.0)));
        assertEquals("--t5", noT5.where());
        BadInputException noVae = assertThrows(BadInputException.class, () -> ModelAssembler.assemble(out,
                new ModelAssembler.Sources(TINY, TINY, TINY, null, TINY.resolve("transformer"), false, 3.0)));
        assertEquals("--vae", noVae.where());
        BadInputException badClip = assertThrows(BadInputException.class, () -> ModelAssembler.assemble(out,
                new ModelAssembler.Sources(TINY, TINY.resolve("vae"), TINY, TINY, TINY.resolve("transformer"), false, 3.0)));
        assertTrue(badClip.getMessage().contains("--clip") && badClip.getMessage().contains("text_encoder/"), badClip.getMessage());
        assertFalse(Files.exists(out));
    }

    /** A part whose tensors do not fit its config fails verification by name, and nothing appears at out. */
    @Test
    void aBrokenPartFailsVerificationByName() throws Exception {
        Path broken = dir.resolve("broken");
        Path te = Files.createDirectories(broken.resolve("text_encoder_3"));
        Files.copy(TINY.resolve("text_encoder_3/config.json"), te.resolve("config.json"));
        Files.copy(TINY.resolve("text_encoder_2/model.safetensors"), te.resolve("model.safetensors")); // CLIP weights as T5
        Path out = dir.resolve("model");
        BadInputException e = assertThrows(BadInputException.class, () -> ModelAssembler.assemble(out,
                new ModelAssembler.Sources(TINY, TINY, broken, TINY, TINY.resolve("transformer"), false, 3.0)));
        assertEquals("text_encoder_3", e.where(), e.getMessage());
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(broken), s.toList()); // the hidden build folder is gone
        }
    }

    /** Parts that load on their own but are not wired alike (4-channel MMDiT, 16-channel VAE) fail by the key. */
    @Test
    void partsThatDoNotFitTogetherAreRefused() throws Exception {
        Path other = Fixtures.mmdit("sd3-tiny/transformer");
        Path out = dir.resolve("model");
        BadInputException e = assertThrows(BadInputException.class, () -> ModelAssembler.assemble(out, all(other, false)));
        assertEquals("transformer", e.where(), e.getMessage());
        assertTrue(e.getMessage().contains("in_channels: 4 ≠ vae latent_channels 16"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    /** From a "full" studio train run: the EMA weights, config.json written from the run's model. */
    @Test
    void takesTheEmaWeightsOfAFullRun() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("config.json"), "{\"task\": \"full\", \"model\": {\"path\": \""
                + TINY.resolve("transformer").toAbsolutePath().toString().replace("\\", "/") + "\"}}");
        Path out = dir.resolve("model");
        assertThrows(BadInputException.class, () -> ModelAssembler.assemble(out, all(run, true)), "no EMA file yet");
        Files.copy(TINY.resolve("transformer/diffusion_pytorch_model.safetensors"), run.resolve("ema_diffusion_pytorch_model.safetensors"));
        ModelAssembler.Result r = ModelAssembler.assemble(out, all(run, true));
        ModelAssembler.Part t = r.parts().stream().filter(p -> p.name().equals("transformer")).findFirst().orElseThrow();
        assertTrue(t.source().endsWith("ema_diffusion_pytorch_model.safetensors"), t.source());
        assertEquals(MmditConfig.fromConfigJson(TINY.resolve("transformer/config.json")),
                MmditConfig.fromConfigJson(out.resolve("transformer/config.json")));
        BadInputException lora = assertThrows(BadInputException.class, () -> {
            Files.writeString(run.resolve("config.json"), "{\"task\": \"lora\"}");
            ModelAssembler.assemble(dir.resolve("other"), all(run, true));
        });
        assertTrue(lora.getMessage().contains("'lora' run"), lora.getMessage());
    }
}
