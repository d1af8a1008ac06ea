package studio.eval.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensors;
import studio.eval.features.inception.FidInceptionV3;
import studio.eval.fid.FeatureMatrix;

/**
 * pool3 of the FID Inception against pytorch-fid's network (torchvision Inception3 + FID blocks, transcribed in
 * features_reference.py) on formula weights, through both resizes, two 40×32 images; and the strict load.
 */
class InceptionParityTest {
    @TempDir
    Path dir;

    @Test
    void theFormulaGivesNumpysValues() throws Exception {
        try (SafeTensors fx = SafeTensors.open(FeatureFixtures.path("inception.safetensors"))) {
            long seed = InceptionFormula.fnv1a64("Conv2d_1a_3x3.conv.weight");
            float[] u = new float[64];
            for (int i = 0; i < 64; i++) {
                u[i] = (float) InceptionFormula.uniform(seed, i);
            }
            assertArrayEquals(fx.readFloats("formula_u.Conv2d_1a_3x3.conv.weight"), u);
            Map<String, long[]> keys = InceptionFormula.keys();
            assertEquals(470, keys.size(), "torchvision Inception3 without fc and aux: 94 BasicConv2d × 5 tensors");
            for (String key : List.of("Conv2d_1a_3x3.conv.weight", "Mixed_7c.branch_pool.bn.running_var",
                    "Mixed_5b.branch1x1.bn.bias")) {
                float[] v = InceptionFormula.values(key, keys.get(key));
                assertArrayEquals(fx.readFloats("formula." + key), Arrays.copyOf(v, 64), key);
            }
        }
    }

    @Test
    void pool3MatchesPytorchFidThroughBothResizes() throws Exception {
        Path weights = dir.resolve("pt_inception.safetensors");
        InceptionFormula.write(weights, InceptionFormula.keys(), true);
        try (NDManager root = NDManager.newBaseManager();
             SafeTensors fx = SafeTensors.open(FeatureFixtures.path("inception.safetensors"))) {
            List<RgbImage> images = List.of(FeatureFixtures.image(fx, "images", 0), FeatureFixtures.image(fx, "images", 1));
            FidInceptionV3 model = FidInceptionV3.load(weights, root);
            assertEquals(List.of(), model.loadReport().unused(), "fc.* is expected and ignored");
            for (ResizeMode mode : ResizeMode.values()) {
                try (InceptionExtractor ex = new InceptionExtractor(root.newSubManager(), model, mode, "formula", 2)) {
                    FeatureMatrix f = ex.extractImages(images);
                    assertEquals(2048, f.cols());
                    double d = FeatureFixtures.maxAbsDiff(fx.readFloats(mode.cliName()), f.values());
                    assertTrue(d <= 1e-4, mode + ": max abs diff " + d);
                }
            }
        }
    }

    @Test
    void aFileWithoutTheModelsKeysIsRefused() throws Exception {
        Path weights = dir.resolve("not-inception.safetensors");
        new studio.core.safetensors.SafeTensorsWriter().addF32("features", new long[] {2, 2}, new float[4]).write(weights);
        try (NDManager root = NDManager.newBaseManager()) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> InceptionExtractor.load(weights, ResizeMode.LEGACY, root, 1));
            assertTrue(e.getMessage().startsWith(weights + ": does not fit the model: 470 missing"), e.getMessage());
        }
    }

    @Test
    void aMissingOrMisShapedKeyIsRefusedNamingIt() throws Exception {
        Map<String, long[]> keys = InceptionFormula.keys();
        keys.remove("Mixed_6c.branch7x7_2.conv.weight");
        keys.put("Mixed_5b.branch_pool.conv.weight", new long[] {32, 192, 3, 3});
        Path weights = dir.resolve("broken.safetensors");
        InceptionFormula.write(weights, keys, false);
        try (NDManager root = NDManager.newBaseManager()) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> InceptionExtractor.load(weights, ResizeMode.LEGACY, root, 1));
            assertTrue(e.getMessage().contains(weights.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("Mixed_6c.branch7x7_2.conv.weight"), e.getMessage());
            assertTrue(e.getMessage().contains("Mixed_5b.branch_pool.conv.weight"), e.getMessage());
        }
    }
}
