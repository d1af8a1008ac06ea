package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void versionNamesTheProductAndExitsZero() {
        Run r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("PanCap Studio "), r.out());
    }

    @Test
    void unknownOptionIsBadInput() {
        Run r = run("inspect", "--no-such-option", "x");
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("--no-such-option"), r.err());
    }

    @Test
    void unknownDeviceIsBadInputNamingTheOption() {
        Run r = run("bench", "kernels", "--device", "tpu", "--runs", "1", "--warmup", "0", "--no-large");
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--device"), r.err());
    }

    @Test
    void benchKernelsPrintsJsonForEveryOp() throws Exception {
        Run r = run("bench", "kernels", "--runs", "1", "--warmup", "0", "--no-large");
        assertEquals(0, r.code(), r.err());
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertEquals("cpu", report.get("device").asText());
        assertEquals("2.7.1", report.get("versions").get("libtorch").asText());
        JsonNode results = report.get("results");
        assertEquals(4, results.size());
        for (JsonNode op : results) {
            assertTrue(op.get("fusedMs").asDouble() > 0, op.toString());
            assertTrue(op.get("plainMs").asDouble() > 0, op.toString());
        }
    }
}
