package studio.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;

class BadImageInputTest {

    @TempDir
    Path dir;

    private static void assertBadInput(Path file, String expectedWords) {
        BadInputException e = assertThrows(BadInputException.class, () -> ImageDecoder.read(file));
        assertEquals(file.toString(), e.where());
        assertTrue(e.getMessage().contains(expectedWords), e.getMessage());
    }

    @Test
    void missingEmptyAndNonImageFilesAreBadInput() throws IOException {
        assertBadInput(dir.resolve("missing.png"), "file not found");
        assertBadInput(Files.write(dir.resolve("empty.png"), new byte[0]), "empty file");
        assertBadInput(Files.writeString(dir.resolve("notes.png"), "this is not a PNG\n"), "not an image");
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        assertBadInput(Files.write(dir.resolve("noise.jpg"), noise), "not an image");
        assertBadInput(dir, "directory");
    }

    @Test
    void truncatedPngIsBadInput() throws IOException {
        byte[] png = PngFiles.encode(TestImages.random(40, 30, 2), List.of());
        for (int keep : new int[] {8, 20, 40, png.length / 2, png.length - 20}) {
            Path file = Files.write(dir.resolve("cut" + keep + ".png"), Arrays.copyOf(png, keep));
            assertThrows(BadInputException.class, () -> ImageDecoder.read(file), "kept " + keep + " bytes");
        }
    }

    @Test
    void playlistsThatWouldOpenOtherFilesAreRefused() throws IOException {
        Path secret = Files.write(dir.resolve("frame.png"), PngFiles.encode(RgbImage.blank(2, 2), List.of()));
        String playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n" + secret + "\n#EXT-X-ENDLIST\n";
        assertBadInput(Files.writeString(dir.resolve("list.png"), playlist), "not an image");
    }

    /** Seeded mutations and truncations of valid files: every result is an image or BadInputException. */
    @Test
    void mutatedFilesDecodeOrFailCleanly() {
        RgbImage image = TestImages.smooth(48, 32);
        List<byte[]> originals = List.of(PngFiles.encode(image, List.of()), ImageEncoder.jpeg(image, 85),
                ImageEncoder.webp(image, 80, false));
        Random random = new Random(20240611);
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < 300; i++) {
            byte[] original = originals.get(i % originals.size());
            byte[] mutated = mutate(original, random);
            try {
                RgbImage result = ImageDecoder.decode(mutated, "mutant-" + i);
                assertTrue(result.width() > 0 && result.height() > 0);
                decoded++;
            } catch (BadInputException e) {
                assertTrue(e.getMessage().startsWith("mutant-" + i), e.getMessage());
                refused++;
            }
        }
        assertEquals(300, decoded + refused);
        assertTrue(refused > 50, "PNG CRC checks alone should refuse many mutants, refused " + refused);
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                return Arrays.copyOf(bytes, random.nextInt(bytes.length));
            }
            case 1 -> {
                for (int n = 1 + random.nextInt(8); n > 0; n--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> {
                int at = random.nextInt(bytes.length);
                int length = Math.min(bytes.length - at, 1 + random.nextInt(64));
                byte[] junk = new byte[length];
                random.nextBytes(junk);
                System.arraycopy(junk, 0, bytes, at, length);
            }
            default -> {
                // Flip bits in the header region, where sizes and chunk lengths live.
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    int at = random.nextInt(Math.min(64, bytes.length));
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
        }
        return bytes;
    }
}
