package studio.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.DataPng;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensors;

/**
 * The trainer with the real SD3 parts on the committed tiny diffusers folder (fixtures/pipeline/tiny-sd3): its
 * MMDiT (LoRA), its VAE for latents and validation decoding, its CLIP-L/G + T5 for the cached conditioning.
 */
class TrainSd3EncodersTest {
    @TempDir
    Path dir;

    static Path tinySd3() throws URISyntaxException {
        return Path.of(TrainSd3EncodersTest.class.getResource("/fixtures/pipeline/tiny-sd3").toURI());
    }

    @Test
    void loraOnTheTinySd3FolderWithItsVaeAndTextEncoders() throws Exception {
        Path folder = tinySd3();
        Path data = TinyRuns.world(dir, 2);
        TrainConfig c = TinyRuns.config(data, dir.resolve("sd3"), "model.path=" + folder.resolve("transformer"),
                "encoders.latent=vae:" + folder.resolve("vae"), "encoders.text=sd3:" + folder, "steps=2",
                "validation.every=2", "validation.prompts=[\"a red circle\"]", "validation.seeds=[3]",
                "validation.steps=2", "validation.size=32", "checkpoint.every=2");
        DiffusionTrainer.Result r = TrainTask.run(c, false, studio.core.train.Progress.NONE, s -> { });
        assertEquals(2, TinyRuns.losses(r.runDir()).size());
        assertTrue(TinyRuns.losses(r.runDir()).stream().allMatch(Double::isFinite));
        RgbImage v = DataPng.read(r.runDir().resolve("validation/step-00000002/p0-s3.png"));
        assertEquals(32, v.width());
        try (SafeTensors st = SafeTensors.open(r.weights())) {
            assertTrue(st.metadata().get("studio.base_model").endsWith("transformer"));
            assertTrue(st.metadata().get("studio.text_conditioner").startsWith("sd3-text:"));
        }
        assertTrue(Files.exists(r.runDir().resolve("cache/latents")));
    }
}
