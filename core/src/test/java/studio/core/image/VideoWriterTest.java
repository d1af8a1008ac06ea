package studio.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;

class VideoWriterTest {

    @TempDir
    Path dir;

    /** Frames of a bright square moving over a gradient. */
    private static List<RgbImage> movingSquare(int width, int height, int count) {
        List<RgbImage> frames = new ArrayList<>();
        RgbImage background = TestImages.smooth(width, height);
        for (int i = 0; i < count; i++) {
            byte[] rgb = background.rgb().clone();
            for (int y = 4; y < 14; y++) {
                for (int x = 2 + 3 * i; x < 12 + 3 * i && x < width; x++) {
                    rgb[(y * width + x) * 3] = (byte) 250;
                    rgb[(y * width + x) * 3 + 1] = (byte) 250;
                    rgb[(y * width + x) * 3 + 2] = (byte) 250;
                }
            }
            frames.add(new RgbImage(width, height, rgb));
        }
        return frames;
    }

    @Test
    void thisFfmpegBuildWritesH264() {
        assertEquals("libopenh264", VideoWriter.mp4Encoder());
    }

    @Test
    void mp4DecodesBackWithFrameCountSizeAndContent() {
        List<RgbImage> frames = movingSquare(64, 48, 12);
        for (String encoder : List.of("libopenh264", "mpeg4")) {
            Path file = dir.resolve(encoder + ".mp4");
            VideoWriter.writeMp4(file, frames, 8, encoder);
            List<RgbImage> decoded = VideoReader.readFrames(file, 1000);
            assertEquals(12, decoded.size(), encoder + " frame count (the last frame needs a duration)");
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(64, decoded.get(i).width());
                assertEquals(48, decoded.get(i).height());
                double psnr = TestImages.psnr(frames.get(i), decoded.get(i));
                assertTrue(psnr > 25, "frame " + i + " PSNR " + psnr + " with " + encoder);
            }
            assertEquals(5, VideoReader.readFrames(file, 5).size(), "maxFrames bounds the result");
        }
    }

    @Test
    void mp4PadsOddSizesToEven() {
        Path file = dir.resolve("odd.mp4");
        VideoWriter.writeMp4(file, movingSquare(37, 23, 3), 24);
        List<RgbImage> decoded = VideoReader.readFrames(file, 1000);
        assertEquals(3, decoded.size());
        assertEquals(38, decoded.get(0).width());
        assertEquals(24, decoded.get(0).height());
    }

    @Test
    void gifDecodesBackWithFrameCountSizeAndRoughColours() throws IOException {
        List<RgbImage> frames = movingSquare(40, 30, 7);
        Path file = dir.resolve("steps.gif");
        VideoWriter.writeGif(file, frames, 10);
        byte[] header = Files.readAllBytes(file);
        assertEquals("GIF89a", new String(header, 0, 6, java.nio.charset.StandardCharsets.US_ASCII));
        List<RgbImage> decoded = VideoReader.readFrames(file, 1000);
        assertEquals(7, decoded.size());
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(40, decoded.get(i).width());
            assertEquals(30, decoded.get(i).height());
            // 6x7x6 levels with ordered dither: roughly 20 dB on a gradient.
            double psnr = TestImages.psnr(frames.get(i), decoded.get(i));
            assertTrue(psnr > 20, "frame " + i + " PSNR " + psnr);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
        RgbImage firstFrame = ImageDecoder.read(file);
        assertEquals(decoded.get(0), firstFrame, "a GIF read as an image is its first frame");
    }

    @Test
    void invalidRequestsAndMissingVideosFail() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> VideoWriter.writeGif(dir.resolve("x.gif"), List.of(), 5));
        assertThrows(IllegalArgumentException.class, () -> VideoWriter.writeMp4(dir.resolve("x.mp4"),
                List.of(RgbImage.blank(8, 8), RgbImage.blank(8, 6)), 5));
        assertThrows(BadInputException.class, () -> VideoReader.readFrames(dir.resolve("none.mp4"), 10));
        Path text = Files.writeString(dir.resolve("text.mp4"), "not a video");
        assertThrows(BadInputException.class, () -> VideoReader.readFrames(text, 10));
    }
}
