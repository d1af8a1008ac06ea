package studio.eval.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensors;

/**
 * CLIP image embeddings against transformers' CLIPVisionModelWithProjection (transcribed in features_reference.py) on a
 * tiny random tower (16 px, patch 4), through openai/CLIP's transform: a wide and a tall image, so both crop offsets run.
 */
class ClipImageParityTest {

    @Test
    void preprocessingAndEmbeddingsMatchTheReference() throws Exception {
        try (NDManager root = NDManager.newBaseManager();
             SafeTensors fx = SafeTensors.open(FeatureFixtures.path("clip.safetensors"));
             ClipImageExtractor ex = ClipImageExtractor.load(FeatureFixtures.path("clip-tiny"), "clip", ResizeMode.LEGACY,
                     ClipImageExtractor.Normalization.CLIP_MEAN_STD, root, 2)) {
            assertEquals(24, ex.dim());
            for (String name : List.of("wide", "tall")) {
                RgbImage image = FeatureFixtures.image(fx, name, 0);
                float[] px = ClipImageExtractor.preprocess(image, 16, ResizeMode.LEGACY,
                        ClipImageExtractor.Normalization.CLIP_MEAN_STD).data();
                double dp = FeatureFixtures.maxAbsDiff(fx.readFloats(name + "_pixels"), px);
                assertTrue(dp <= 1e-6, name + " pixels: max abs diff " + dp);
                float[] pm1 = ClipImageExtractor.preprocess(image, 16, ResizeMode.LEGACY,
                        ClipImageExtractor.Normalization.MINUS_ONE_TO_ONE).data();
                double dm = FeatureFixtures.maxAbsDiff(fx.readFloats(name + "_pixels_pm1"), pm1);
                assertTrue(dm <= 1e-6, name + " [-1, 1] pixels: max abs diff " + dm);
            }
            float[] embeds = ex.extractImages(List.of(FeatureFixtures.image(fx, "wide", 0), FeatureFixtures.image(fx, "tall", 0)))
                    .values();
            float[] expected = new float[48];
            System.arraycopy(fx.readFloats("wide_embeds"), 0, expected, 0, 24);
            System.arraycopy(fx.readFloats("tall_embeds"), 0, expected, 24, 24);
            double d = FeatureFixtures.maxAbsDiff(expected, embeds);
            assertTrue(d <= 1e-4, "image_embeds: max abs diff " + d);
        }
    }
}
