package studio.eval.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensors;

/**
 * The Java resizes against torch 1.13's F.interpolate and Pillow 9.4 (resize.safetensors): a noise image (a, 37×23)
 * and a smooth one (b, 48×64), each up, down and to an odd non-square size.
 */
class ResizeParityTest {

    @ParameterizedTest
    @CsvSource({"a, up, 53, 47", "a, down, 16, 11", "a, odd, 29, 52", "b, up, 53, 47", "b, down, 16, 11", "b, odd, 29, 52"})
    void matchesTorchAndPillow(String image, String tag, int height, int width) throws Exception {
        try (SafeTensors st = SafeTensors.open(FeatureFixtures.path("resize.safetensors"))) {
            RgbImage in = FeatureFixtures.image(st, image, 0);
            String key = image + "_%s_" + tag;

            float[] bilinear = TorchResize.bilinear(Planes.toTensor(in), width, height).data();
            double dBilinear = FeatureFixtures.maxAbsDiff(st.readFloats(key.formatted("bilinear")), bilinear);
            assertTrue(dBilinear <= 1e-6, "torch bilinear (values in [0, 1]): max abs diff " + dBilinear);

            float[] pilFloat = PilResize.bicubicFloat(Planes.bytes(in), width, height).clamp(0, 255).data();
            double dFloat = FeatureFixtures.maxAbsDiff(st.readFloats(key.formatted("pil_float")), pilFloat);
            assertTrue(dFloat <= 1e-4, "PIL float bicubic (values in [0, 255]): max abs diff " + dFloat);

            RgbImage pil8 = PilResize.bicubic(in, width, height);
            assertArrayEquals(FeatureFixtures.image(st, key.formatted("pil_u8"), 0).rgb(), pil8.rgb(), "PIL 8-bit bicubic");
        }
    }

    /** DINOv2's position grid: 7 → 4 and 37 → 16 (ViT-L/14 at 224 px), and an enlargement 5 → 9. */
    @ParameterizedTest
    @CsvSource({"7, 4", "37, 16", "5, 9"})
    void bicubicWithTheHubScaleFactorMatchesTorch(int m, int g) throws Exception {
        try (SafeTensors st = SafeTensors.open(FeatureFixtures.path("resize.safetensors"))) {
            Planes grid = new Planes(3, m, m, st.readFloats("grid_" + m));
            double factor = (g + 0.1) / m;
            float[] out = TorchResize.bicubic(grid, g, g, factor, factor).data();
            double d = FeatureFixtures.maxAbsDiff(st.readFloats("grid_" + m + "_to_" + g), out);
            assertTrue(d <= 1e-6, "bicubic " + m + " -> " + g + ": max abs diff " + d);
        }
    }
}
