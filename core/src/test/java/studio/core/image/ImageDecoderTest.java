package studio.core.image;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY16BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_PAL8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB48BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGBA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

    @TempDir
    Path dir;

    @Test
    void pngRoundTripIsLosslessForRandomImagesOfOddSizes() {
        int[][] sizes = {{37, 23}, {1, 1}, {1, 17}, {64, 64}, {101, 3}};
        for (int[] size : sizes) {
            RgbImage image = TestImages.random(size[0], size[1], size[0] * 1000L + size[1]);
            Path file = dir.resolve(size[0] + "x" + size[1] + ".png");
            PngFiles.write(file, image, List.of());
            assertEquals(image, ImageDecoder.read(file), "round trip of " + size[0] + "x" + size[1]);
        }
    }

    @Test
    void panopticIdsDecodeExactly() {
        int width = 53;
        int height = 41;
        Random random = new Random(7);
        int[] ids = new int[width * height];
        for (int i = 0; i < ids.length; i++) {
            // Mix small consecutive COCONut-style ids with arbitrary 24-bit ids.
            ids[i] = i % 3 == 0 ? random.nextInt(40) : random.nextInt(1 << 24);
        }
        Path file = dir.resolve("panoptic.png");
        PngFiles.write(file, RgbImage.fromPanopticIds(width, height, ids), List.of());
        assertArrayEquals(ids, ImageDecoder.read(file).panopticIds());
        // The same ids encoded by FFmpeg's own png encoder (another writer) decode exactly too.
        byte[] ffmpegPng = TestImages.ffmpegPng(width, height, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24,
                RgbImage.fromPanopticIds(width, height, ids).rgb(), width * 3, null);
        assertArrayEquals(ids, ImageDecoder.decode(ffmpegPng, "ffmpeg.png").panopticIds());
    }

    @Test
    void rgbaDropsAlphaAndKeepsColourExactly() {
        int width = 19;
        int height = 7;
        byte[] rgba = new byte[width * height * 4];
        new Random(3).nextBytes(rgba);
        RgbImage decoded = ImageDecoder.decode(
                TestImages.ffmpegPng(width, height, AV_PIX_FMT_RGBA, rgba, width * 4, null), "rgba.png");
        for (int p = 0; p < width * height; p++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(rgba[p * 4 + c], decoded.rgb()[p * 3 + c], "pixel " + p + " channel " + c);
            }
        }
    }

    @Test
    void grayExpandsToEqualChannels() {
        byte[] gray = new byte[256];
        for (int i = 0; i < 256; i++) {
            gray[i] = (byte) i;
        }
        RgbImage decoded = ImageDecoder.decode(TestImages.ffmpegPng(16, 16, AV_PIX_FMT_GRAY8, gray, 16, null), "g.png");
        for (int i = 0; i < 256; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(i, decoded.rgb()[i * 3 + c] & 0xFF, "gray " + i);
            }
        }
    }

    @Test
    void paletteLooksUpColoursExactly() {
        Random random = new Random(11);
        int[] palette = new int[256];
        for (int i = 0; i < 256; i++) {
            palette[i] = 0xFF000000 | random.nextInt(1 << 24);
        }
        byte[] indices = new byte[23 * 9];
        random.nextBytes(indices);
        RgbImage decoded = ImageDecoder.decode(TestImages.ffmpegPng(23, 9, AV_PIX_FMT_PAL8, indices, 23, palette), "p.png");
        for (int p = 0; p < indices.length; p++) {
            assertEquals(palette[indices[p] & 0xFF] & 0xFFFFFF, decoded.rgbAt(p % 23, p / 23), "pixel " + p);
        }
    }

    @Test
    void sixteenBitSamplesBecomeTheir8BitValues() {
        RgbImage expected = TestImages.random(13, 11, 5);
        byte[] rgb48 = new byte[13 * 11 * 6];
        byte[] gray16 = new byte[13 * 11 * 2];
        for (int i = 0; i < expected.rgb().length; i++) {
            // v·257 is the 16-bit sample whose 8-bit value is exactly v, by any rounding rule.
            rgb48[2 * i] = expected.rgb()[i];
            rgb48[2 * i + 1] = expected.rgb()[i];
        }
        for (int p = 0; p < 13 * 11; p++) {
            gray16[2 * p] = expected.rgb()[p * 3];
            gray16[2 * p + 1] = expected.rgb()[p * 3];
        }
        assertEquals(expected, ImageDecoder.decode(
                TestImages.ffmpegPng(13, 11, AV_PIX_FMT_RGB48BE, rgb48, 13 * 6, null), "rgb48.png"));
        RgbImage gray = ImageDecoder.decode(TestImages.ffmpegPng(13, 11, AV_PIX_FMT_GRAY16BE, gray16, 26, null), "g16.png");
        for (int p = 0; p < 13 * 11; p++) {
            assertEquals(expected.get(p % 13, p / 13, 0), gray.get(p % 13, p / 13, 1), "gray16 pixel " + p);
        }
    }

    @Test
    void jpegEncodeDecodeStaysCloseToTheOriginal() {
        RgbImage original = TestImages.smooth(96, 64);
        byte[] jpeg = ImageEncoder.jpeg(original, 95);
        assertEquals(0xFFD8, ((jpeg[0] & 0xFF) << 8) | (jpeg[1] & 0xFF), "JPEG SOI marker");
        RgbImage decoded = ImageDecoder.decode(jpeg, "smooth.jpg");
        assertEquals(96, decoded.width());
        assertEquals(64, decoded.height());
        double psnr = TestImages.psnr(original, decoded);
        org.junit.jupiter.api.Assertions.assertTrue(psnr > 35, "PSNR " + psnr);
        // 4:2:0 chroma must be up-sampled at the right place: a half-pixel siting error shows up
        // as a colour bias on gradients (swscale's bilinear chroma path had about 1.5 levels).
        for (int c = 0; c < 3; c++) {
            double bias = 0;
            for (int p = 0; p < 96 * 64; p++) {
                bias += (decoded.rgb()[p * 3 + c] & 0xFF) - (original.rgb()[p * 3 + c] & 0xFF);
            }
            bias /= 96 * 64;
            org.junit.jupiter.api.Assertions.assertTrue(Math.abs(bias) < 0.5, "channel " + c + " bias " + bias);
        }
    }

    @Test
    void webpLossyAndLosslessDecode() {
        RgbImage original = TestImages.smooth(40, 30);
        byte[] lossless = ImageEncoder.webp(original, 100, true);
        assertEquals("RIFF", new String(lossless, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(original, ImageDecoder.decode(lossless, "lossless.webp"));
        RgbImage lossy = ImageDecoder.decode(ImageEncoder.webp(original, 90, false), "lossy.webp");
        double psnr = TestImages.psnr(original, lossy);
        org.junit.jupiter.api.Assertions.assertTrue(psnr > 33, "PSNR " + psnr);
    }

    @Test
    void concurrentDecodesGiveTheSameResults() throws Exception {
        RgbImage image = TestImages.random(31, 17, 99);
        byte[] png = PngFiles.encode(image, List.of());
        byte[] jpeg = ImageEncoder.jpeg(image, 90);
        RgbImage jpegOnce = ImageDecoder.decode(jpeg, "once.jpg");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                results.add(pool.submit(() -> ImageDecoder.decode(png, "t.png").equals(image)
                        && ImageDecoder.decode(jpeg, "t.jpg").equals(jpegOnce)));
            }
            for (Future<Boolean> result : results) {
                org.junit.jupiter.api.Assertions.assertTrue(result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
