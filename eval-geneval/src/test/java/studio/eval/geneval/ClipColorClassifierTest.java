package studio.eval.geneval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalClause;

/**
 * The CLIP colour classifier on a tiny random CLIP (no stub: real towers, real tokenizer): shapes, normalisation,
 * clip_benchmark's template averaging recomputed by hand, argmax, determinism, and the preprocessing geometry.
 */
class ClipColorClassifierTest {
    @TempDir
    static Path dir;
    static ClipColorClassifier clip;

    @BeforeAll
    static void load() throws Exception {
        clip = ClipColorClassifier.open(TinyClip.folder(dir.resolve("clip"), 7), ClipColorClassifier.TEXT_ENCODER);
    }

    @AfterAll
    static void close() {
        clip.close();
    }

    private static List<BufferedImage> crops(long seed, int n) {
        Random r = new Random(seed);
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage b = new BufferedImage(5 + 7 * i, 9 + 3 * i, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < b.getHeight(); y++) {
                for (int x = 0; x < b.getWidth(); x++) {
                    b.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            out.add(b);
        }
        return out;
    }

    @Test
    void classifierIsTheNormalisedMeanOfTheNormalisedTemplateEmbeddings() {
        float[][] weights = clip.classifier("circle");
        assertEquals(10, weights.length);
        for (int c = 0; c < 10; c++) {
            assertEquals(16, weights[c].length);
            assertEquals(1.0, ClipColorClassifier.dot(weights[c], weights[c]), 1e-5);
            String color = GenevalClause.COLORS.get(c);
            List<String> texts = List.of("a photo of a " + color + " circle", "a photo of a " + color + "-colored circle",
                    "a photo of a " + color + " object");
            assertEquals(texts, ColorClassifier.templates(color, "circle"));
            double[] mean = new double[16];
            for (String t : texts) {
                float[] e = clip.textEmbeddings(List.of(t))[0]; // one text per forward: batching must not matter
                double norm = Math.sqrt(ClipColorClassifier.dot(e, e));
                for (int i = 0; i < 16; i++) {
                    mean[i] += e[i] / norm / 3;
                }
            }
            double norm = 0;
            for (double v : mean) {
                norm += v * v;
            }
            for (int i = 0; i < 16; i++) {
                assertEquals(mean[i] / Math.sqrt(norm), weights[c][i], 1e-5, color + "[" + i + "]");
            }
        }
        assertTrue(clip.classifier("circle") == weights, "computed once per class name");
        float[][] other = clip.classifier("square");
        assertTrue(Math.abs(ClipColorClassifier.dot(other[0], weights[0]) - 1) > 1e-6, "the class name enters the prompts");
    }

    @Test
    void eachCropGetsTheArgmaxColourOfItsNormalisedImageEmbedding() {
        List<BufferedImage> crops = crops(3, 4);
        float[][] features = clip.imageFeatures(crops);
        assertEquals(4, features.length);
        float[][] weights = clip.classifier("heart");
        List<String> colors = clip.classify(crops, "heart");
        assertEquals(4, colors.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(1.0, ClipColorClassifier.dot(features[i], features[i]), 1e-5);
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = ClipColorClassifier.dot(features[i], weights[c]) > ClipColorClassifier.dot(features[i], weights[best]) ? c : best;
            }
            assertEquals(GenevalClause.COLORS.get(best), colors.get(i));
        }
        assertEquals(colors, clip.classify(crops, "heart"), "deterministic");
        assertEquals(colors.subList(1, 2), clip.classify(crops.subList(1, 2), "heart"), "independent of the batch");
        assertEquals(List.of(), clip.classify(List.of(), "heart"));
    }

    @Test
    void theSameFolderLoadsToTheSameClassifier() throws Exception {
        try (ClipColorClassifier again = ClipColorClassifier.open(dir.resolve("clip"), ClipColorClassifier.TEXT_ENCODER)) {
            assertArrayEquals(clip.classifier("star")[4], again.classifier("star")[4], 1e-6f);
            assertArrayEquals(clip.imageFeatures(crops(5, 1))[0], again.imageFeatures(crops(5, 1))[0], 1e-6f);
        }
        assertTrue(clip.description().contains("pancap-tiny CLIP convention: 16 px"), clip.description());
    }

    @Test
    void tinyPreprocessingScalesToMinusOneOneAndCentreCropsTheLongSide() {
        ClipPreprocess p = ClipPreprocess.tiny(4);
        BufferedImage flat = new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                flat.setRGB(x, y, 0xFF0080);
            }
        }
        float[] px = p.pixels(flat);
        assertEquals(3 * 16, px.length);
        for (int i = 0; i < 16; i++) {
            assertEquals(1f, px[i], 1e-6f);
            assertEquals(-1f, px[16 + i], 1e-6f);
            assertEquals(128 / 127.5f - 1, px[32 + i], 1e-6f);
        }
        // 4 wide, 8 high: the shorter side is already 4, the crop keeps rows 2..5 (round((8 - 4) / 2) = 2).
        BufferedImage tall = new BufferedImage(4, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 4; x++) {
                tall.setRGB(x, y, (y * 30) << 8);
            }
        }
        float[] t = ClipPreprocess.tiny(4).pixels(tall);
        for (int y = 0; y < 4; y++) {
            assertEquals((y + 2) * 30 / 127.5f - 1, t[16 + y * 4], 1e-6f, "green row " + y);
        }
    }

    @Test
    void readsATransformersPreprocessorConfig() throws Exception {
        Path file = dir.resolve("preprocessor_config.json");
        Files.writeString(file, "{\"crop_size\": {\"height\": 224, \"width\": 224}, \"do_center_crop\": true, "
                + "\"image_mean\": [0.48145466, 0.4578275, 0.40821073], \"image_std\": [0.26862954, 0.26130258, 0.27577711], "
                + "\"resample\": 3, \"size\": {\"shortest_edge\": 224}}");
        ClipPreprocess p = ClipPreprocess.read(file);
        assertEquals(224, p.shortestEdge());
        assertEquals(224, p.cropSize());
        assertArrayEquals(ClipPreprocess.OPENAI_MEAN, p.mean(), 1e-7f);
        assertArrayEquals(ClipPreprocess.OPENAI_STD, p.std(), 1e-7f);
    }

    @Test
    void aFolderWithoutItsPartsIsBadInputNamingThePart() throws Exception {
        BadInputException e = assertThrows(BadInputException.class,
                () -> ClipColorClassifier.open(dir.resolve("clip"), ClipColorClassifier.TEXT_ENCODER_2));
        assertTrue(e.getMessage().contains("text_encoder_2"), e.getMessage());
        assertThrows(BadInputException.class, () -> ClipColorClassifier.tokenizerFolder("text_encoder_3"));
    }
}
