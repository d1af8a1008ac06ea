package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.safetensors.SafeTensors;

/** {@code studio debug forward} and {@code studio bench denoiser} on the diffusion module's committed fixtures. */
class DebugForwardCommandTest {
    /** Maven runs module tests from the module folder; the fixtures belong to the diffusion module. */
    private static final Path FIXTURES = Path.of("../diffusion/src/test/resources/fixtures/mmdit");

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static float maxAbsDiff(Path actual, String actualKey, Path expected, String expectedKey) throws Exception {
        try (SafeTensors a = SafeTensors.open(actual); SafeTensors e = SafeTensors.open(expected)) {
            float[] x = a.readFloats(actualKey);
            float[] y = e.readFloats(expectedKey);
            assertEquals(y.length, x.length);
            float max = 0;
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
            return max;
        }
    }

    @Test
    void forwardWritesTheReferenceSample(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.safetensors");
        Path inputs = FIXTURES.resolve("sd35m-tiny/forward.safetensors");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = run(o, e, "debug", "forward", "--transformer", FIXTURES.resolve("sd35m-tiny/transformer").toString(),
                "--inputs", inputs.toString(), "--out", out.toString());
        assertEquals(0, code, e.toString());
        assertTrue(maxAbsDiff(out, "sample", inputs, "sample") <= 1e-4);
    }

    @Test
    void forwardWithTwoLorasAndScales(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.safetensors");
        Path expected = FIXTURES.resolve("sd35m-tiny/lora_expected.safetensors");
        StringWriter e = new StringWriter();
        int code = run(new StringWriter(), e, "debug", "forward",
                "--transformer", FIXTURES.resolve("sd35m-tiny/transformer").toString(),
                "--inputs", expected.toString(), "--out", out.toString(),
                "--lora", FIXTURES.resolve("sd35m-tiny/lora_peft.safetensors") + ":0.5",
                "--lora", FIXTURES.resolve("sd35m-tiny/lora_kohya.safetensors") + ":0.7");
        assertEquals(0, code, e.toString());
        assertTrue(maxAbsDiff(out, "sample", expected, "sample.all") <= 1e-4);
    }

    @Test
    void missingInputTensorIsBadInput(@TempDir Path tmp) {
        StringWriter e = new StringWriter();
        int code = run(new StringWriter(), e, "debug", "forward",
                "--transformer", FIXTURES.resolve("sd3-tiny/transformer").toString(),
                "--inputs", FIXTURES.resolve("sd3-tiny/sampling.safetensors").toString(),
                "--out", tmp.resolve("o.safetensors").toString());
        assertEquals(Main.EXIT_BAD_INPUT, code);
        assertTrue(e.toString().contains("hidden_states"), e.toString());
    }

    @Test
    void benchDenoiserPrintsJson() throws Exception {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = run(o, e, "bench", "denoiser", "--config", "tiny", "--res", "64", "--tokens", "7", "--runs", "2",
                "--warmup", "0");
        assertEquals(0, code, e.toString());
        JsonNode j = new ObjectMapper().readTree(o.toString());
        assertEquals("tiny", j.get("config").asText());
        assertTrue(j.get("ms_median").asDouble() > 0);
        assertTrue(j.get("gflops_achieved").asDouble() > 0);
    }
}
