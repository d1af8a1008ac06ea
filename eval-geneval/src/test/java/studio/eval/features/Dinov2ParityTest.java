package studio.eval.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import studio.core.BadInputException;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensors;
import studio.eval.features.dinov2.Dinov2Config;
import studio.eval.features.dinov2.Dinov2Model;

/**
 * FD-DINOv2's CLS features against the hub model transcribed in features_reference.py, on a tiny random
 * Dinov2Model (32 wide, 2 layers, patch 4, stored grid 7): dgm-eval's preprocessing and the CLS output at input
 * sides 16 and 20 (grid resampled 7 → 4, 7 → 5) and 28 (the stored grid).
 */
class Dinov2ParityTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {16, 20, 28})
    void clsMatchesTheHubModel(int size) throws Exception {
        try (NDManager root = NDManager.newBaseManager();
             SafeTensors fx = SafeTensors.open(FeatureFixtures.path("dinov2.safetensors"));
             Dinov2Extractor ex = Dinov2Extractor.load(FeatureFixtures.path("dinov2-tiny"), ResizeMode.LEGACY, size, root, 2)) {
            List<RgbImage> images = List.of(FeatureFixtures.image(fx, "images", 0), FeatureFixtures.image(fx, "images", 1));
            float[] pixels = fx.readFloats("pixels_" + size);
            int per = pixels.length / 2;
            for (int i = 0; i < 2; i++) {
                float[] mine = Dinov2Extractor.preprocess(images.get(i), ResizeMode.LEGACY, size).data();
                float[] ref = java.util.Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
                double d = FeatureFixtures.maxAbsDiff(ref, mine);
                assertTrue(d <= 1e-6, "dgm-eval preprocessing, image " + i + ": max abs diff " + d);
            }
            float[] cls = ex.extractImages(images).values();
            double d = FeatureFixtures.maxAbsDiff(fx.readFloats("cls_" + size), cls);
            assertTrue(d <= 1e-4, "CLS at " + size + " px: max abs diff " + d);
        }
    }

    @Test
    void aBareWeightsFileLoadsWithItsShapeInferredConfiguration() throws Exception {
        Path file = Files.copy(FeatureFixtures.path("dinov2-tiny/model.safetensors"), dir.resolve("dinov2.safetensors"));
        try (NDManager root = NDManager.newBaseManager();
             SafeTensors st = SafeTensors.open(file);
             Dinov2Model model = Dinov2Model.load(file, root)) {
            Dinov2Config folder = Dinov2Config.fromConfigJson(FeatureFixtures.path("dinov2-tiny/config.json"));
            assertEquals(new Dinov2Config(32, 2, 4, 128, 28, 4, 3, 1e-6), folder);
            // Shapes give everything but the head count, taken as width / 64 (every released DINOv2): 1 for this
            // 32-wide toy, which is why a folder with config.json is read first.
            assertEquals(new Dinov2Config(32, 2, 1, 128, 28, 4, 3, 1e-6), Dinov2Config.inferFrom(st));
            assertEquals(model.config(), Dinov2Config.inferFrom(st));
            assertEquals(List.of(), model.loadReport().unused());
        }
    }

    @Test
    void weightsInOtherKeysAreRefusedNamingTheFile() throws Exception {
        Path file = dir.resolve("hub-keys.safetensors");
        new studio.core.safetensors.SafeTensorsWriter().addF32("blocks.0.attn.qkv.weight", new long[] {96, 32}, new float[96 * 32])
                .write(file);
        try (NDManager root = NDManager.newBaseManager()) {
            BadInputException e = assertThrows(BadInputException.class, () -> Dinov2Model.load(file, root));
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("embeddings.patch_embeddings.projection.weight"), e.getMessage());
        }
    }
}
