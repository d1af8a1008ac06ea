package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.image.ImageDecoder;
import studio.core.image.PngFiles;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;

/** {@code studio generate} end to end on the diffusion module's tiny diffusers folder (tools/reference/pipeline_reference.py). */
class GenerateCommandTest {
    private static final Path FIXTURES = Path.of("../diffusion/src/test/resources/fixtures/pipeline");
    private static final Path MODEL = FIXTURES.resolve("tiny-sd3");

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /** The fixture's conditioning rows as diffusers-named embeddings (row 1 = prompt, row 0 = negative). */
    private static Path embeddings(Path dir) throws Exception {
        Path file = dir.resolve("emb.safetensors");
        try (SafeTensors f = SafeTensors.open(FIXTURES.resolve("expected.safetensors"))) {
            long[] cs = f.info("context").shape();
            long[] ps = f.info("pooled").shape();
            float[] c = f.readFloats("context");
            float[] p = f.readFloats("pooled");
            int cn = (int) (cs[1] * cs[2]);
            int pn = (int) ps[1];
            new SafeTensorsWriter()
                    .addF32("negative_prompt_embeds", new long[] {1, cs[1], cs[2]}, Arrays.copyOfRange(c, 0, cn))
                    .addF32("prompt_embeds", new long[] {1, cs[1], cs[2]}, Arrays.copyOfRange(c, cn, 2 * cn))
                    .addF32("negative_pooled_prompt_embeds", new long[] {1, pn}, Arrays.copyOfRange(p, 0, pn))
                    .addF32("pooled_prompt_embeds", new long[] {1, pn}, Arrays.copyOfRange(p, pn, 2 * pn))
                    .write(file);
        }
        return file;
    }

    @Test
    void generatesPngsWithMetadataAndAVideo(@TempDir Path tmp) throws Exception {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        Path out = tmp.resolve("cube.png");
        int code = run(o, e, "generate", "--model", MODEL.toString(), "--prompt", "a red cube", "--negative", "blurry",
                "--embeddings", embeddings(tmp).toString(), "--steps", "3", "--guidance", "4.5", "--seed", "11",
                "--width", "32", "--height", "24", "--batch", "2", "--sampler", "heun",
                "--lora", FIXTURES.resolve("lora_peft.safetensors") + ":0.5", "--video", tmp.resolve("d.gif").toString(),
                "--out", out.toString());
        assertEquals(0, code, e.toString());
        assertTrue(o.toString().contains("wrote " + tmp.resolve("cube-1.png") + " (32x24, seed 12)"), o.toString());
        assertTrue(o.toString().contains("prompt:\n  embeddings file emb.safetensors: 11 tokens"), o.toString());
        assertTrue(e.toString().contains("step 3/3"), e.toString());
        RgbImage img = ImageDecoder.read(tmp.resolve("cube-0.png"));
        assertEquals(32, img.width());
        assertEquals(24, img.height());
        Map<String, String> text = PngFiles.readText(tmp.resolve("cube-1.png"));
        assertTrue(text.get("parameters").startsWith("a red cube\nNegative prompt: blurry\nSteps: 3, Sampler: Heun, "
                + "CFG scale: 4.5, Seed: 12, Size: 32x24, Model: tiny-sd3, Shift: 3.0"), text.get("parameters"));
        JsonNode j = new ObjectMapper().readTree(text.get("studio"));
        assertEquals(0.5, j.at("/loras/0/scale").asDouble());
        assertEquals(64, j.at("/loras/0/sha256").asText().length());
        assertTrue(Files.size(tmp.resolve("d.gif")) > 0);
    }

    /** From prompt text through the folder's CLIP-L, CLIP-G and T5: the token report on stdout and in the PNG. */
    @Test
    void generatesFromTextWithTheTokenReport(@TempDir Path tmp) throws Exception {
        String prompt = "a watercolor painting of a lighthouse at sunset with waves crashing against the rocks, two cats"
                + " and a dog sitting on a wooden bench in a park during autumn, leaves falling, portrait of an old woman"
                + " with silver hair, soft window light, film grain, shallow depth of field";
        Path file = tmp.resolve("prompt.txt");
        Files.writeString(file, prompt + "\n");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        Path out = tmp.resolve("lighthouse.png");
        int code = run(o, e, "generate", "--model", MODEL.toString(), "--prompt-file", file.toString(),
                "--prompt-2", "a lighthouse at sunset", "--negative", "blurry", "--t5-length", "64", "--steps", "2",
                "--guidance", "3", "--seed", "1", "--out", out.toString());
        assertEquals(0, code, e.toString());
        String stdout = o.toString();
        assertTrue(stdout.contains("prompt:\n  clip_l: 129 tokens of 150 in 2 chunks, nothing dropped\n"
                + "  clip_g: 11 tokens of 150 in 2 chunks, nothing dropped\n  t5: 198 tokens of 63, dropped: \""), stdout);
        assertTrue(stdout.contains("negative prompt:\n  clip_l: 6 tokens of 150 in 2 chunks"), stdout);
        assertTrue(e.toString().contains("free encoders: "), e.toString());
        JsonNode j = new ObjectMapper().readTree(PngFiles.readText(out).get("studio"));
        assertEquals("a lighthouse at sunset", j.get("prompt_2").asText());
        assertEquals(64, j.get("t5_length").asInt());
        assertEquals(2, j.at("/token_report/prompt/0/chunks").asInt());
        String dropped = j.at("/token_report/prompt/2/dropped").asText();
        assertEquals(prompt.substring(j.at("/token_report/prompt/2/dropped_from").asInt()), dropped);
        assertTrue(dropped.length() > 20 && stdout.contains("dropped: \"" + dropped + "\"\n"), stdout);
        assertEquals("clip_g", j.at("/token_report/negative_prompt/1/encoder").asText());
        assertTrue(j.get("skip_layer_guidance").isNull(), "auto SLG is off for a 2-block transformer");
    }

    @Test
    void badInputExitsTwoNamingTheField(@TempDir Path tmp) throws Exception {
        String emb = embeddings(tmp).toString();
        String png = tmp.resolve("x.png").toString();
        String[][] cases = {
            {"--width", "generate", "--model", MODEL.toString(), "--prompt", "x", "--embeddings", emb, "--width", "30",
                "--height", "24", "--out", png},
            {"--model nope", "generate", "--model", "nope", "--prompt", "x", "--out", png},
            {"--out", "generate", "--model", MODEL.toString(), "--prompt", "x", "--out", tmp.resolve("x.jpg").toString()},
            {"--prompt", "generate", "--model", MODEL.toString(), "--out", png},
            {"--steps", "generate", "--model", MODEL.toString(), "--prompt", "x", "--embeddings", emb, "--steps", "0",
                "--out", png},
            {"--embeddings", "generate", "--model", MODEL.toString(), "--prompt", "x", "--embeddings",
                tmp.resolve("none.safetensors").toString(), "--out", png},
            {"--slg", "generate", "--model", MODEL.toString(), "--prompt", "x", "--slg", "on", "--guidance", "3",
                "--steps", "1", "--out", png},
            {"--t5-length", "generate", "--model", MODEL.toString(), "--prompt", "x", "--t5-length", "513", "--out", png},
        };
        for (String[] c : cases) {
            StringWriter e = new StringWriter();
            int code = run(new StringWriter(), e, Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, code, c[0] + ": " + e);
            assertTrue(e.toString().contains(c[0]), c[0] + ": " + e);
        }
    }
}
