package studio.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import studio.core.BadInputException;

class ImageResizerTest {

    @Test
    void constantImageStaysConstantUnderEveryFilter() {
        RgbImage flat = RgbImage.filled(37, 23, 200, 17, 99);
        for (ResizeFilter filter : ResizeFilter.values()) {
            for (int[] size : new int[][] {{74, 46}, {19, 11}, {50, 7}}) {
                RgbImage resized = ImageResizer.resize(flat, size[0], size[1], filter);
                assertEquals(RgbImage.filled(size[0], size[1], 200, 17, 99), resized, filter + " to " + size[0] + "x" + size[1]);
            }
        }
    }

    @Test
    void areaHalvingAveragesEachTwoByTwoBlock() {
        RgbImage image = TestImages.random(64, 48, 21);
        RgbImage half = ImageResizer.resize(image, 32, 24, ResizeFilter.AREA);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 32; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = image.get(2 * x, 2 * y, c) + image.get(2 * x + 1, 2 * y, c)
                            + image.get(2 * x, 2 * y + 1, c) + image.get(2 * x + 1, 2 * y + 1, c);
                    // The mean rounded to nearest; swscale's 14-bit coefficients break exact .5 ties
                    // either way, so a tie may round down or up (|4·out − sum| = 2).
                    int error = Math.abs(4 * half.get(x, y, c) - sum);
                    assertTrue(error < 2 || (error == 2 && sum % 4 == 2),
                            "block " + x + "," + y + " channel " + c + ": sum " + sum + " -> " + half.get(x, y, c));
                }
            }
        }
    }

    @Test
    void nearestUpscaleReplicatesPixels() {
        RgbImage image = TestImages.random(9, 5, 4);
        RgbImage triple = ImageResizer.resize(image, 27, 15, ResizeFilter.NEAREST);
        for (int y = 0; y < 15; y++) {
            for (int x = 0; x < 27; x++) {
                assertEquals(image.rgbAt(x / 3, y / 3), triple.rgbAt(x, y), "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void namedFiltersGiveDifferentButDeterministicResults() {
        RgbImage image = TestImages.random(48, 40, 8);
        Map<ResizeFilter, RgbImage> results = new EnumMap<>(ResizeFilter.class);
        for (ResizeFilter filter : ResizeFilter.values()) {
            RgbImage once = ImageResizer.resize(image, 29, 17, filter);
            assertEquals(once, ImageResizer.resize(image, 29, 17, filter), filter + " is deterministic");
            for (Map.Entry<ResizeFilter, RgbImage> earlier : results.entrySet()) {
                assertNotEquals(earlier.getValue(), once, filter + " differs from " + earlier.getKey());
            }
            results.put(filter, once);
        }
    }

    @Test
    void centerCropResizeKeepsTheMiddle() {
        // A 90x30 image whose middle 30x30 square is white and the rest black.
        RgbImage image = RgbImage.blank(90, 30);
        for (int y = 0; y < 30; y++) {
            for (int x = 30; x < 60; x++) {
                System.arraycopy(new byte[] {-1, -1, -1}, 0, image.rgb(), (y * 90 + x) * 3, 3);
            }
        }
        assertEquals(RgbImage.filled(15, 15, 255, 255, 255), ImageResizer.centerCropResize(image, 15, 15, ResizeFilter.AREA));
        RgbImage tall = ImageResizer.centerCropResize(RgbImage.filled(10, 40, 1, 2, 3), 20, 10, ResizeFilter.BICUBIC);
        assertEquals(RgbImage.filled(20, 10, 1, 2, 3), tall);
    }

    @Test
    void filterNamesParseAndUnknownNamesAreBadInput() {
        assertEquals(ResizeFilter.LANCZOS, ResizeFilter.parse(" Lanczos"));
        assertEquals(ResizeFilter.AREA, ResizeFilter.parse("area"));
        assertThrows(BadInputException.class, () -> ResizeFilter.parse("box"));
    }
}
