package studio.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import studio.core.BadInputException;

/** Every malformed header is refused with a SafetensorsFormatException naming the file and the problem. */
class SafeTensorsHardeningTest {
    @TempDir
    Path dir;

    private static String f32(String name, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    static Stream<Arguments> malformedHeaders() {
        return Stream.of(
                Arguments.of("{" + f32("a.weight", "[2,2]", "[0,12]") + "}", 12,
                        "tensor 'a.weight': data_offsets [0, 12] span 12 bytes but F32 [2, 2] needs 16"),
                Arguments.of(" {}", 0, "header does not start with '{'"),
                Arguments.of("{\"a\":", 0, "header is not valid JSON"),
                Arguments.of("{} x", 0, "header is not valid JSON"),
                Arguments.of("{}{}", 0, "unexpected content after the header's JSON object"),
                Arguments.of("{\"a\":5}", 0, "tensor 'a': entry is not a JSON object"),
                Arguments.of("{\"a\":{\"shape\":[],\"data_offsets\":[0,4]}}", 4, "tensor 'a': missing 'dtype'"),
                Arguments.of("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "tensor 'a': missing 'shape'"),
                Arguments.of("{\"a\":{\"dtype\":\"F32\",\"shape\":[]}}", 4, "tensor 'a': missing 'data_offsets'"),
                Arguments.of("{\"a\":{\"dtype\":5,\"shape\":[],\"data_offsets\":[0,4]}}", 4, "tensor 'a': 'dtype' is not a string"),
                Arguments.of("{" + f32("a", "\"2\"", "[0,4]") + "}", 4, "tensor 'a': 'shape' must be an array of integers"),
                Arguments.of("{" + f32("a", "[1.0]", "[0,4]") + "}", 4, "tensor 'a': 'shape' must be an array of integers"),
                Arguments.of("{" + f32("a", "[1]", "[0]") + "}", 4, "tensor 'a': 'data_offsets' must be [begin, end], found 1 numbers"),
                Arguments.of("{" + f32("a", "[99999999999999999999]", "[0,4]") + "}", 4,
                        "tensor 'a': 'shape' value 99999999999999999999 does not fit a 64-bit integer"),
                Arguments.of("{\"a\":{\"dtype\":\"F17\",\"shape\":[],\"data_offsets\":[0,4]}}", 4, "tensor 'a': unknown dtype 'F17'"),
                Arguments.of("{" + f32("a", "[2,-2]", "[0,16]") + "}", 16, "tensor 'a': shape [2, -2] has a negative dimension"),
                Arguments.of("{" + f32("a", "[4611686018427387904,8]", "[0,16]") + "}", 16,
                        "tensor 'a': F32 [4611686018427387904, 8] has more bytes than fit in a 64-bit integer"),
                Arguments.of("{" + f32("a", "[1]", "[-4,0]") + "}", 4, "tensor 'a': data_offsets [-4, 0] are negative"),
                Arguments.of("{" + f32("a", "[1]", "[4,0]") + "}", 4, "tensor 'a': data_offsets [4, 0] begin after they end"),
                Arguments.of("{" + f32("a", "[2]", "[0,8]") + "}", 4, "tensor 'a': data_offsets [0, 8] end past the data buffer (4 bytes)"),
                Arguments.of("{" + f32("a", "[2]", "[0,8]") + "," + f32("b", "[1]", "[4,8]") + "}", 8,
                        "tensor 'b': data_offsets [4, 8] overlap tensor 'a' at [0, 8]"),
                Arguments.of("{" + f32("a", "[1]", "[0,4]") + "," + f32("b", "[1]", "[8,12]") + "}", 12,
                        "tensor 'b': starts at 8, leaving a hole of 4 bytes after tensor 'a' (ends at 4)"),
                Arguments.of("{" + f32("a", "[1]", "[4,8]") + "}", 8,
                        "tensor 'a': starts at 4, leaving a hole of 4 bytes after the start of the data buffer"),
                Arguments.of("{" + f32("a", "[1]", "[0,4]") + "}", 6,
                        "2 bytes of the 6-byte data buffer after the last tensor are not covered by any tensor"),
                Arguments.of("{" + f32("a", "[1]", "[0,4]") + "," + f32("a", "[1]", "[0,4]") + "}", 4,
                        "Duplicate field 'a'"),
                Arguments.of("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[0,4]}}", 4,
                        "Duplicate field 'dtype'"),
                Arguments.of("{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ value for key 'k' is not a string"),
                Arguments.of("{\"__metadata__\":[\"k\"]}", 0, "__metadata__ must be an object of strings"),
                Arguments.of("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,1]}}", 1,
                        "tensor 'a': F4 [3] does not fill a whole number of bytes"),
                Arguments.of("{\"a\\nb\":5}", 0, "tensor 'a\\nb': entry is not a JSON object"),
                Arguments.of("[]", 0, "header does not start with '{'"));
    }

    @ParameterizedTest
    @MethodSource("malformedHeaders")
    void malformedHeaderIsRefusedWithItsProblem(String header, int dataBytes, String expected) throws Exception {
        Path file = RawFiles.write(dir.resolve("model.safetensors"), header, dataBytes);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.open(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
        assertEquals(file.toString(), e.where());
        assertTrue(e instanceof BadInputException);
        assertTrue(!e.getMessage().contains("\n"), "message must be one line");
    }

    @Test
    void fileShorterThanEightBytes() throws Exception {
        Path file = RawFiles.writeBytes(dir.resolve("short.safetensors"), new byte[] {1, 0, 0});
        assertMessage(file, "file is 3 bytes, shorter than the 8-byte header length");
    }

    @Test
    void headerLengthPastEndOfFile() throws Exception {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path file = RawFiles.writeBytes(dir.resolve("m.safetensors"), RawFiles.withLength(4000, header, new byte[0]));
        assertMessage(file, "declared header length 4000 runs past the end of the file (10 bytes)");
    }

    @Test
    void headerLengthOverTheReferenceLimit() throws Exception {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path file = RawFiles.writeBytes(dir.resolve("m.safetensors"), RawFiles.withLength(100_000_001, header, new byte[0]));
        assertMessage(file, "declared header length 100000001 exceeds the limit of 100000000 bytes");
        Path huge = RawFiles.writeBytes(dir.resolve("h.safetensors"), RawFiles.withLength(-1, header, new byte[0]));
        assertMessage(huge, "declared header length 18446744073709551615 exceeds the limit");
    }

    @Test
    void headerThatIsNotUtf8() throws Exception {
        byte[] header = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        Path file = RawFiles.writeBytes(dir.resolve("m.safetensors"), RawFiles.withLength(header.length, header, new byte[0]));
        assertMessage(file, "header is not valid UTF-8 (bad byte at header offset 2)");
    }

    @Test
    void emptyHeader() throws Exception {
        Path file = RawFiles.writeBytes(dir.resolve("m.safetensors"), RawFiles.withLength(0, new byte[0], new byte[0]));
        assertMessage(file, "header does not start with '{'");
    }

    @Test
    void missingPathIsBadInput() {
        Path missing = dir.resolve("nope.safetensors");
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.open(missing));
        assertEquals(missing + ": no such file or directory", e.getMessage());
    }

    private static void assertMessage(Path file, String expected) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.open(file));
        assertTrue(e.getMessage().startsWith(file + ": " + expected), e.getMessage());
    }
}
