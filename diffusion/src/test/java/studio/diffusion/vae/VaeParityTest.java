package studio.diffusion.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.diffusion.Fixtures.assertClose;
import static studio.diffusion.Fixtures.get;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;
import studio.core.safetensors.TensorInfo;
import studio.diffusion.Fixtures;

/** The tiny VAE (weights stored F16, run in fp32) against tools/reference/vae_reference.py. */
class VaeParityTest {

    static Path fixture(String relative) {
        return Fixtures.mmdit("../vae/" + relative);
    }

    @Test
    void configJsonIsTheTinyPreset() throws Exception {
        assertEquals(VaeConfig.tiny(), VaeConfig.fromConfigJson(fixture("tiny/vae/config.json")));
        assertEquals(8, VaeConfig.sd3().scaleFactor());
        assertEquals(2, VaeConfig.tiny().scaleFactor());
    }

    @Test
    void encodeAndDecodeMatchReference() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); SafeTensors f = SafeTensors.open(fixture("tiny/parity.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.load(fixture("tiny/vae"), m);
            assertTrue(vae.loadReport().unused().isEmpty(), vae.loadReport().summary());
            NDArray image = get(f, "image", m);
            try (LatentDistribution d = vae.encode(image)) {
                NDArray moments = get(f, "moments", m);
                assertClose("vae encode mean", d.mean(), moments.get(":, 0:16"), 1e-4);
                assertClose("vae encode logvar", d.logvar(), moments.get(":, 16:").clip(-30.0, 20.0), 1e-4);
                assertClose("vae latents (mean, normalised)", d.latents(), get(f, "latents.mean", m), 1e-4);
                assertClose("vae latents (sampled, normalised)", d.sample(get(f, "eps", m)), get(f, "latents.sample", m), 1e-4);
                assertClose("vae decode(encode mean)", vae.decode(get(f, "latents.mean", m)), get(f, "decoded.mean", m), 1e-4);
            }
            assertClose("vae decode random latents 5x7", vae.decode(get(f, "z", m)), get(f, "decoded.z", m), 1e-4);
        }
    }

    @Test
    void seededSamplingIsReproducibleAndSeedDependent() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); SafeTensors f = SafeTensors.open(fixture("tiny/parity.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.load(fixture("tiny/vae"), m);
            try (LatentDistribution d = vae.encode(get(f, "image", m))) {
                NDArray a = d.sample(7);
                NDArray b = d.sample(7);
                NDArray c = d.sample(8);
                assertEquals(0f, Fixtures.maxAbsDiff(a, b));
                assertTrue(Fixtures.maxAbsDiff(a, c) > 1e-3, "another seed must give other latents");
            }
        }
    }

    @Test
    void badImageSizeNamesTheMultiple() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.load(fixture("tiny/vae"), m);
            BadInputException e = assertThrows(BadInputException.class, () -> vae.encode(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 12, 15))));
            assertTrue(e.getMessage().contains("multiples of 2"), e.getMessage());
        }
    }

    /** Older diffusers names (query, key, value, proj_attn) stored as 1×1 convs load into the same model (§3.4). */
    @Test
    void legacyAttentionNamesAsConvWeightsGiveTheSameDecode(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("vae"));
        Files.copy(fixture("tiny/vae/config.json"), folder.resolve("config.json"));
        SafeTensorsWriter writer = new SafeTensorsWriter();
        try (SafeTensors src = SafeTensors.open(fixture("tiny/vae"))) {
            for (TensorInfo t : src.tensors()) {
                String name = t.name().replace(".to_q.", ".query.").replace(".to_k.", ".key.")
                        .replace(".to_v.", ".value.").replace(".to_out.0.", ".proj_attn.");
                long[] shape = t.shape();
                if (!name.equals(t.name()) && shape.length == 2) {
                    shape = new long[] {shape[0], shape[1], 1, 1};
                }
                writer.addF32(name, shape, src.readFloats(t.name()));
            }
        }
        writer.write(folder.resolve("diffusion_pytorch_model.safetensors"));
        try (NDManager m = NDManager.newBaseManager(); SafeTensors f = SafeTensors.open(fixture("tiny/parity.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.load(folder, m);
            assertClose("vae decode, legacy attention names", vae.decode(get(f, "z", m)), get(f, "decoded.z", m), 1e-4);
        }
    }
}
