package studio.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;

class PngFilesTest {

    @TempDir
    Path dir;

    private static final String PARAMETERS = "a red circle on green grass, détaillé\n"
            + "Negative prompt: blurry\nSteps: 28, Sampler: Euler, CFG scale: 7, Seed: 42, Size: 64x64";

    @Test
    void textChunksRoundTrip() throws IOException {
        StringBuilder json = new StringBuilder("{\"prompt\":\"");
        while (json.length() < 10_240) {
            json.append("Ünïcödé café 🎨🖼️ 漢字 ");
        }
        json.append("\"}");
        RgbImage image = TestImages.random(37, 23, 1);
        Path file = dir.resolve("out.png");
        PngFiles.write(file, image, List.of(
                PngTextChunk.latin1("parameters", PARAMETERS),
                PngTextChunk.utf8("studio", json.toString()),
                PngTextChunk.latin1("Software", "PanCap Studio")));
        Map<String, String> text = PngFiles.readText(file);
        assertEquals(List.of("parameters", "studio", "Software"), List.copyOf(text.keySet()));
        assertEquals(PARAMETERS, text.get("parameters"));
        assertEquals(json.toString(), text.get("studio"));
        assertEquals(image, ImageDecoder.read(file), "text chunks do not disturb the pixels");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void textChunksComeBeforeImageData() {
        byte[] png = PngFiles.encode(RgbImage.blank(4, 4), List.of(PngTextChunk.utf8("studio", "{}")));
        String ascii = new String(png, StandardCharsets.ISO_8859_1);
        assertTrue(ascii.indexOf("IHDR") < ascii.indexOf("iTXt") && ascii.indexOf("iTXt") < ascii.indexOf("IDAT"));
    }

    @Test
    void writingReplacesAnExistingFile() {
        Path file = dir.resolve("same.png");
        PngFiles.write(file, RgbImage.filled(3, 3, 1, 1, 1), List.of(PngTextChunk.latin1("v", "1")));
        PngFiles.write(file, RgbImage.filled(5, 2, 9, 9, 9), List.of(PngTextChunk.latin1("v", "2")));
        assertEquals(RgbImage.filled(5, 2, 9, 9, 9), ImageDecoder.read(file));
        assertEquals(Map.of("v", "2"), PngFiles.readText(file));
    }

    @Test
    void invalidChunksAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PngTextChunk.latin1("emoji", "🎨"));
        assertThrows(IllegalArgumentException.class, () -> PngTextChunk.latin1(" lead", "x"));
        assertThrows(IllegalArgumentException.class, () -> PngTextChunk.utf8("a".repeat(80), "x"));
        assertThrows(IllegalArgumentException.class, () -> PngTextChunk.utf8("nul", "a\0b"));
    }

    @Test
    void readingTextOfBadFilesIsBadInput() throws IOException {
        byte[] png = PngFiles.encode(RgbImage.blank(4, 4), List.of(PngTextChunk.latin1("k", "value")));
        byte[] wrongCrc = png.clone();
        int textAt = new String(png, StandardCharsets.ISO_8859_1).indexOf("tEXt");
        wrongCrc[textAt + 6] ^= 1; // inside the chunk data
        Path bad = Files.write(dir.resolve("crc.png"), wrongCrc);
        BadInputException e = assertThrows(BadInputException.class, () -> PngFiles.readText(bad));
        assertTrue(e.getMessage().contains("crc.png") && e.getMessage().contains("CRC"), e.getMessage());
        Path text = Files.writeString(dir.resolve("notes.png"), "hello");
        assertThrows(BadInputException.class, () -> PngFiles.readText(text));
        Path cut = Files.write(dir.resolve("cut.png"), java.util.Arrays.copyOf(png, png.length - 5));
        assertThrows(BadInputException.class, () -> PngFiles.readText(cut));
    }
}
