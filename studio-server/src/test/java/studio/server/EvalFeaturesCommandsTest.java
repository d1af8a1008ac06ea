package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensorsWriter;
import studio.diffusion.nn.Params;
import studio.diffusion.text.ClipConfig;
import studio.diffusion.text.ClipVisionConfig;
import studio.diffusion.text.ClipVisionModel;

/**
 * {@code eval fid}, {@code eval features} and {@code eval clipscore} end to end with a tiny random CLIP image tower
 * (16 px, projection 16) as the {@code tiny-clip} extractor and the diffusion fixtures' tiny bigG-class text tower.
 */
public class EvalFeaturesCommandsTest {
    private static final Path TEXT = Path.of("../diffusion/src/test/resources/fixtures/text/sd3-text-tiny");

    @TempDir
    Path dir;

    private Path model;
    private Path real;
    private Path fake;

    private record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeEach
    void setUp() throws Exception {
        model = dir.resolve("tiny");
        writeTower(model.resolve("image_encoder"));
        copyFolder(TEXT.resolve("text_encoder_2"), model.resolve("text_encoder_2"));
        copyFolder(TEXT.resolve("tokenizer_2"), model.resolve("tokenizer_2"));
        real = dir.resolve("real");
        fake = dir.resolve("fake");
        Random rng = new Random(1);
        for (int i = 0; i < 6; i++) {
            writeImage(real.resolve(i < 3 ? "a" : "b").resolve(i + ".png"), rng, 20 + i, 16, false);
            writeImage(fake.resolve(i + ".png"), rng, 16, 18 + i, true);
        }
    }

    /** A random CLIPVisionModelWithProjection folder in transformers' keys (what ClipTrainer writes). */
    public static void writeTower(Path folder) throws Exception {
        ClipVisionConfig c = new ClipVisionConfig(32, 64, 1, 4, 16, 4, 3, ClipConfig.Activation.GELU, 1e-5, 16);
        Map<String, NDArray> weights = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            ClipVisionModel.of(recording(m, weights, ""), c);
            SafeTensorsWriter w = new SafeTensorsWriter();
            weights.forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
            Files.createDirectories(folder);
            w.write(folder.resolve("model.safetensors"));
        }
        Files.writeString(folder.resolve("config.json"), "{\"architectures\": [\"CLIPVisionModelWithProjection\"], "
                + "\"hidden_size\": 32, \"intermediate_size\": 64, \"num_hidden_layers\": 1, \"num_attention_heads\": 4, "
                + "\"image_size\": 16, \"patch_size\": 4, \"hidden_act\": \"gelu\", \"projection_dim\": 16}");
    }

    private static Params recording(NDManager m, Map<String, NDArray> out, String prefix) {
        Params random = Params.random(m, Precision.F32, 0.3f, prefix);
        return new Params() {
            @Override public Params pp(String name) {
                return recording(m, out, prefix.isEmpty() ? name : prefix + "." + name);
            }

            @Override public String prefix() {
                return prefix;
            }

            @Override public NDArray get(String name, long... shape) {
                NDArray x = random.get(name, shape);
                out.put(prefix.isEmpty() ? name : prefix + "." + name, x);
                return x;
            }

            @Override public Precision precision() {
                return Precision.F32;
            }

            @Override public NDManager manager() {
                return m;
            }
        };
    }

    public static void copyFolder(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    /** Smooth colour ramps plus noise; {@code reddish} shifts the fake set's colours so the FD is clearly positive. */
    private static void writeImage(Path file, Random rng, int w, int h, boolean reddish) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int base = rng.nextInt(128);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = Math.min(255, (reddish ? 120 : 0) + base + 4 * x + rng.nextInt(30));
                int g = Math.min(255, base + 6 * y + rng.nextInt(30));
                int b = Math.min(255, 200 - base / 2 + rng.nextInt(30));
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void fidIsCachedPerSetAndEqualsFdOfTheExportedFeatures() throws Exception {
        String tower = model.resolve("image_encoder").toString();
        Path cache = dir.resolve("cache");
        Run first = run("eval", "fid", "--real", real.toString(), "--fake", fake.toString(), "--features", "tiny-clip",
                "--weights", tower, "--cache", cache.toString(), "--out", dir.resolve("fid.json").toString());
        assertEquals(0, first.exit(), first.err());
        JsonNode a = first.json();
        assertEquals(6, a.get("n_real").asInt());
        assertEquals(6, a.get("n_fake").asInt());
        assertEquals(16, a.get("dim").asInt());
        assertEquals("tiny-clip", a.get("features").asText());
        assertEquals("legacy", a.get("resize").asText());
        assertTrue(a.get("resize_filter").asText().contains("2x - 1"), a.toString());
        assertTrue(a.get("extractor").asText().startsWith("tiny-clip-image-embeds:"), a.toString());
        assertEquals("computed", a.get("sets").get("real").get("cache").asText());
        assertEquals("computed", a.get("sets").get("fake").get("cache").asText());
        assertEquals(12, a.get("timing").get("images_extracted").asInt());
        assertTrue(a.get("fd").asDouble() > 0, a.toString());
        assertEquals(a, new ObjectMapper().readTree(dir.resolve("fid.json").toFile()), "--out holds the printed JSON");

        Run second = run("eval", "fid", "--real", real.toString(), "--fake", fake.toString(), "--features", "tiny-clip",
                "--weights", tower, "--cache", cache.toString());
        assertEquals(0, second.exit(), second.err());
        JsonNode b = second.json();
        assertEquals("hit", b.get("sets").get("real").get("cache").asText());
        assertEquals("hit", b.get("sets").get("fake").get("cache").asText());
        assertEquals(0, b.get("timing").get("images_extracted").asInt(), "no image went through the network");
        assertEquals(a.get("fd").asDouble(), b.get("fd").asDouble(), 0);

        Run clean = run("eval", "fid", "--real", real.toString(), "--fake", fake.toString(), "--features", "tiny-clip",
                "--weights", tower, "--cache", cache.toString(), "--resize", "clean");
        assertEquals(0, clean.exit(), clean.err());
        assertEquals("computed", clean.json().get("sets").get("real").get("cache").asText(), "another resize, another entry");

        Path ra = dir.resolve("real.safetensors");
        Path fa = dir.resolve("fake.safetensors");
        for (Path[] set : new Path[][] {{real, ra}, {fake, fa}}) {
            Run export = run("eval", "features", set[0].toString(), "--features", "tiny-clip", "--weights", tower,
                    "--out", set[1].toString());
            assertEquals(0, export.exit(), export.err());
            assertEquals(6, export.json().get("images").asInt());
        }
        Run fd = run("eval", "fd", "--real-features", ra.toString(), "--fake-features", fa.toString());
        assertEquals(0, fd.exit(), fd.err());
        double expected = a.get("fd").asDouble();
        assertEquals(expected, fd.json().get("fd").asDouble(), 1e-9 * Math.abs(expected),
                "same features in another row order: same FD");
    }

    @Test
    void clipscoreReportsBothConventionsPerImageAndTheLongCaptionPolicy() throws Exception {
        Path images = dir.resolve("scored");
        Random rng = new Random(3);
        writeImage(images.resolve("one.png"), rng, 24, 16, false);
        writeImage(images.resolve("two.png"), rng, 16, 30, true);
        String longCaption = "<1: a red circle> sits on <2: green grass>. " + "a blue sky with many small white clouds ".repeat(12)
                + ". two squares.";
        Path captions = dir.resolve("captions.jsonl");
        Files.writeString(captions, "{\"image\": \"one.png\", \"caption\": \"a red circle on grass\"}\n"
                + new ObjectMapper().writeValueAsString(Map.of("image", "two.png", "caption", longCaption)) + "\n");
        Run r = run("eval", "clipscore", "--images", images.toString(), "--captions", captions.toString(),
                "--model", model.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode json = r.json();
        assertEquals(2, json.get("images").asInt());
        JsonNode tm = json.get("clipscore").get("torchmetrics");
        JsonNode hs = json.get("clipscore").get("hessel");
        assertTrue(tm.get("label").asText().startsWith("torchmetrics"), tm.toString());
        assertTrue(hs.get("label").asText().startsWith("Hessel"), hs.toString());
        JsonNode rows = json.get("per_image");
        assertEquals(2, rows.size());
        double meanT = 0;
        double meanH = 0;
        for (JsonNode row : rows) {
            assertEquals(100 * row.get("cos_torchmetrics").asDouble(), row.get("torchmetrics").asDouble(), 1e-9);
            assertEquals(2.5 * Math.max(0, row.get("cos_hessel").asDouble()), row.get("hessel").asDouble(), 1e-9);
            meanT += row.get("torchmetrics").asDouble() / 2;
            meanH += row.get("hessel").asDouble() / 2;
        }
        assertEquals(Math.max(meanT, 0), tm.get("score").asDouble(), 1e-9);
        assertEquals(meanH, hs.get("score").asDouble(), 1e-9);
        assertEquals(true, rows.get(0).get("scored_whole").asBoolean());
        assertEquals(false, rows.get(1).get("scored_whole").asBoolean(), "the long caption is split into sentences");
        assertEquals(3, rows.get(1).get("pieces").asInt());
        assertEquals(1, rows.get(1).get("truncated_pieces").asInt(), "its middle sentence alone exceeds 77 tokens");
        assertEquals(1, json.get("long_captions").get("captions_split_torchmetrics").asInt());
        assertTrue(json.get("long_captions").get("tokens_dropped_torchmetrics").asInt() > 0);
    }

    @Test
    void clipscoreOfAGenevalFolderScoresEachImageAgainstItsPrompt() throws Exception {
        Path gen = dir.resolve("geneval");
        Random rng = new Random(5);
        for (int p = 0; p < 2; p++) {
            Path folder = gen.resolve(String.format("%05d", p));
            Files.createDirectories(folder.resolve("samples"));
            Files.writeString(folder.resolve("metadata.jsonl"), "{\"tag\": \"single_object\", \"include\": [{\"class\": \""
                    + (p == 0 ? "dog" : "cup") + "\", \"count\": 1}], \"prompt\": \"a photo of a " + (p == 0 ? "dog" : "cup") + "\"}");
            for (int s = 0; s < 2; s++) {
                writeImage(folder.resolve("samples").resolve(String.format("%04d.png", s)), rng, 16, 16, p == 1);
            }
        }
        Run r = run("eval", "clipscore", "--geneval", gen.toString(), "--model", model.toString(),
                "--out", dir.resolve("cs.json").toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(4, r.json().get("images").asInt());
        JsonNode full = new ObjectMapper().readTree(dir.resolve("cs.json").toFile());
        assertEquals("00000/samples/0000.png", full.get("per_image").get(0).get("image").asText());
        assertEquals(4, full.get("per_image").size());
    }

    @Test
    void badInputsExitTwoNamingTheCulprit() throws Exception {
        String tower = model.resolve("image_encoder").toString();
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Run r = run("eval", "fid", "--real", empty.toString(), "--fake", fake.toString(), "--features", "tiny-clip",
                "--weights", tower, "--no-cache");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains(empty.toString()) && r.err().contains("no PNG or JPEG"), r.err());

        Path broken = dir.resolve("broken");
        writeImage(broken.resolve("ok.png"), new Random(9), 16, 16, false);
        writeImage(broken.resolve("ok2.png"), new Random(10), 16, 16, false);
        Files.write(broken.resolve("truncated.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        r = run("eval", "fid", "--real", broken.toString(), "--fake", fake.toString(), "--features", "tiny-clip",
                "--weights", tower, "--no-cache");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("truncated.png"), r.err());

        Path wrong = Files.createDirectories(dir.resolve("wrong"));
        Files.copy(model.resolve("image_encoder/config.json"), wrong.resolve("config.json"));
        new SafeTensorsWriter().addF32("vision_model.encoder.layers.0.fc9.weight", new long[] {2}, new float[2])
                .write(wrong.resolve("model.safetensors"));
        r = run("eval", "features", real.toString(), "--features", "tiny-clip", "--weights", wrong.toString(),
                "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains(wrong.resolve("model.safetensors").toString()) && r.err().contains("missing"), r.err());
        assertTrue(!Files.exists(dir.resolve("x.safetensors")), "nothing written");

        r = run("eval", "fid", "--real", real.toString(), "--fake", fake.toString(), "--features", "inception");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("--weights"), r.err());

        r = run("eval", "fid", "--real", real.toString(), "--fake", fake.toString(), "--features", "vgg");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("--features"), r.err());

        Path captions = dir.resolve("bad.jsonl");
        Files.writeString(captions, "{\"image\": \"a/0.png\", \"caption\": \"x\"}\n{\"image\": \"a/1.png\", \"captoin\": \"y\"}\n");
        r = run("eval", "clipscore", "--images", real.toString(), "--captions", captions.toString(), "--model", model.toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains(captions + ":2: captoin"), r.err());
    }

    @Test
    void clipscoreReadsAFolderOfTxtCaptionsByImageStem() throws Exception {
        Path captions = Files.createDirectories(dir.resolve("txt"));
        for (int i = 0; i < 6; i++) {
            Files.writeString(captions.resolve(i + ".txt"), "a picture number " + i + "\n");
        }
        Run r = run("eval", "clipscore", "--images", real.toString(), "--captions", captions.toString(), "--model", model.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(6, r.json().get("images").asInt());
        assertEquals("a/0.png", r.json().get("per_image").get(0).get("image").asText());
        Files.delete(captions.resolve("4.txt"));
        r = run("eval", "clipscore", "--images", real.toString(), "--captions", captions.toString(), "--model", model.toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains(captions.resolve("4.txt").toString()), r.err());
    }

    /** A transformers CLIPModel folder (both towers in one file, text_config / vision_config) reads as its parts do. */
    @Test
    void aTransformersClipModelFolderGivesTheSameEmbeddingsAsItsParts() throws Exception {
        Path clip = Files.createDirectories(dir.resolve("clip-model"));
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode config = json.createObjectNode();
        config.set("text_config", json.readTree(model.resolve("text_encoder_2/config.json").toFile()));
        config.set("vision_config", json.readTree(model.resolve("image_encoder/config.json").toFile()));
        config.put("projection_dim", 16);
        Files.writeString(clip.resolve("config.json"), json.writeValueAsString(config));
        SafeTensorsWriter w = new SafeTensorsWriter();
        for (String part : new String[] {"text_encoder_2", "image_encoder"}) {
            try (studio.core.safetensors.SafeTensors st = studio.core.safetensors.SafeTensors.open(model.resolve(part))) {
                for (var info : st.tensors()) {
                    w.addF32(info.name(), info.shape(), st.readFloats(info.name()));
                }
            }
        }
        w.addF32("logit_scale", new long[] {}, new float[] {2.6592f});
        w.write(clip.resolve("model.safetensors"));
        copyFolder(model.resolve("tokenizer_2"), clip);

        studio.eval.clipscore.ClipModelFolder whole = studio.eval.clipscore.ClipModelFolder.resolve(clip.toString(), "text_encoder_2");
        assertEquals(clip, whole.textTower());
        assertEquals(studio.eval.features.ClipImageExtractor.Normalization.CLIP_MEAN_STD, whole.normalization());
        try (NDManager root = NDManager.newBaseManager();
             var a = studio.eval.clipscore.ClipTextEmbedder.load(clip, clip, root);
             var b = studio.eval.clipscore.ClipTextEmbedder.load(model.resolve("text_encoder_2"), model.resolve("tokenizer_2"), root);
             var ia = studio.eval.features.Extractors.open("clip", clip, studio.eval.features.ResizeMode.LEGACY, root);
             var ib = studio.eval.features.Extractors.open("clip", model.resolve("image_encoder"),
                     studio.eval.features.ResizeMode.LEGACY, root)) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(b.embed("a red circle on grass"), a.embed("a red circle on grass"));
            java.util.List<Path> images = java.util.List.of(real.resolve("a/0.png"), fake.resolve("3.png"));
            org.junit.jupiter.api.Assertions.assertArrayEquals(ib.extract(images).values(), ia.extract(images).values());
        }
    }

    @Test
    void benchFeaturesTimesAnExtractor() throws Exception {
        Run r = run("bench", "features", "--features", "tiny-clip", "--weights", model.toString(), "--images", "3",
                "--side", "40", "--batch", "2");
        assertEquals(0, r.exit(), r.err());
        assertEquals(16, r.json().get("dim").asInt());
        assertTrue(r.json().get("seconds_per_image").asDouble() > 0, r.out());
    }
}
