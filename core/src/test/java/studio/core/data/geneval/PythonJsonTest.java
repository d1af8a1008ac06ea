package studio.core.data.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Python json.dumps text. */
class PythonJsonTest {
    @Test
    void floatsPrintAsPythonRepr() {
        assertEquals("0.1", PythonJson.floatRepr(0.1));
        assertEquals("123.0", PythonJson.floatRepr(123));
        assertEquals("0.0001", PythonJson.floatRepr(1e-4));
        assertEquals("1e-05", PythonJson.floatRepr(1e-5));
        assertEquals("1.5e-07", PythonJson.floatRepr(1.5e-7));
        assertEquals("1e+16", PythonJson.floatRepr(1e16));
        assertEquals("1234567890123456.0", PythonJson.floatRepr(1234567890123456.0));
        assertEquals("-2.5", PythonJson.floatRepr(-2.5));
        assertEquals("12.345678329467773", PythonJson.floatRepr((float) 12.345678));
    }

    @Test
    void stringsAndContainersPrintAsJsonDumps() throws Exception {
        var node = new ObjectMapper().readTree("{\"a\": [1, 2.0, \"caf\u00e9 \\\"q\\\"\\n\"], \"b\": {\"c\": null, \"d\": true}}");
        assertEquals("{\"a\": [1, 2.0, \"caf\\u00e9 \\\"q\\\"\\n\"], \"b\": {\"c\": null, \"d\": true}}", PythonJson.dumps(node));
    }
}
