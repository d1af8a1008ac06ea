package studio.eval.geneval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** COCO RLE masks and the official colour crop (Python json.dumps text: core PythonJsonTest). */
class EncodingsTest {
    @Test
    void rleRunsAreColumnMajorStartingWithZeros() {
        // h=3, w=2; inside at (y=1, x=0) and (y=2, x=1): column-major indices 1 and 5.
        Mask mask = RleMasks.decode(3, 2, new long[] {1, 1, 3, 1});
        assertTrue(mask.inside(0, 1));
        assertTrue(mask.inside(1, 2));
        assertEquals(2, mask.area());
        assertFalse(mask.inside(1, 1));
        assertThrows(IllegalArgumentException.class, () -> RleMasks.decode(3, 2, new long[] {1, 1, 3}));
        assertThrows(IllegalArgumentException.class, () -> RleMasks.decode(3, 2, new long[] {1, 1, 3, 2}));
    }

    @Test
    void compressedCountsRoundTripIncludingLargeAndDecreasingRuns() {
        long[] runs = {0, 5, 1000, 3, 40, 70000, 2, 1};
        String text = RleMasks.runsToString(runs);
        assertArrayEquals(runs, RleMasks.runsFromString(text));
        // pycocotools encodes small first runs as one character each: 0 → '0', 5 → '5'.
        assertEquals("05", RleMasks.runsToString(new long[] {0, 5}));
        assertThrows(IllegalArgumentException.class, () -> RleMasks.runsFromString("0 5"));
    }

    @Test
    void cropRoundsHalfToEvenAndPaintsOutsideTheMaskGrey() {
        BufferedImage image = new BufferedImage(6, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                image.setRGB(x, y, 0x102030);
            }
        }
        java.util.BitSet inside = new java.util.BitSet();
        inside.set(1 * 6 + 2); // (x=2, y=1)
        Detection d = new Detection("cup", 0.9, new Box(0.5, 0.5, 3.5, 2.5), new Mask(6, 4, inside), null);
        BufferedImage crop = ColorCrops.officialCrop(image, d, "test");
        // round(0.5) = 0, round(3.5) = 4, round(2.5) = 2: a 4×2 crop from (0, 0).
        assertEquals(4, crop.getWidth());
        assertEquals(2, crop.getHeight());
        assertEquals(0x102030, crop.getRGB(2, 1) & 0xFFFFFF);
        assertEquals(0x999999, crop.getRGB(1, 1) & 0xFFFFFF);
        Detection wrongSize = new Detection("cup", 0.9, new Box(0, 0, 2, 2), new Mask(5, 4, inside), null);
        assertThrows(studio.core.BadInputException.class, () -> ColorCrops.officialCrop(image, wrongSize, "test"));
        Detection outside = Detection.of("cup", 0.9, new Box(4, 2, 8, 6));
        BufferedImage padded = ColorCrops.officialCrop(image, outside, "test");
        assertEquals(0x102030, padded.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0, padded.getRGB(3, 3) & 0xFFFFFF);
    }
}
