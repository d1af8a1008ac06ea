package studio.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageTensorsTest {

    @Test
    void everyByteValueRoundTripsThroughBothRanges() {
        byte[] all = new byte[16 * 16 * 3];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i / 3 + 85 * (i % 3)); // each channel covers all 256 values
        }
        RgbImage image = new RgbImage(16, 16, all);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (ImageTensors.Range range : ImageTensors.Range.values()) {
                NDArray tensor = ImageTensors.toTensor(manager, image, range);
                assertEquals(new Shape(3, 16, 16), tensor.getShape());
                assertEquals(image, ImageTensors.toImage(tensor, range), range.toString());
            }
        }
    }

    @Test
    void layoutAndValuesAreChannelFirst() {
        RgbImage image = RgbImage.blank(3, 2);
        image.rgb()[(1 * 3 + 2) * 3 + 1] = (byte) 255; // green at x=2, y=1
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray signed = ImageTensors.toTensor(manager, image, ImageTensors.Range.SIGNED);
            assertEquals(1f, signed.getFloat(1, 1, 2));
            assertEquals(-1f, signed.getFloat(0, 1, 2));
            NDArray unit = ImageTensors.toTensor(manager, image, ImageTensors.Range.UNIT);
            assertEquals(1f, unit.getFloat(1, 1, 2));
            assertEquals(0f, unit.getFloat(2, 0, 0));
        }
    }

    @Test
    void batchesStackAndSplit() {
        List<RgbImage> images = List.of(TestImages.random(5, 4, 1), TestImages.random(5, 4, 2), TestImages.random(5, 4, 3));
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray batch = ImageTensors.toBatch(manager, images, ImageTensors.Range.SIGNED);
            assertEquals(new Shape(3, 3, 4, 5), batch.getShape());
            assertEquals(images, ImageTensors.toImages(batch, ImageTensors.Range.SIGNED));
            assertEquals(images.get(1), ImageTensors.toImage(batch.get(1), ImageTensors.Range.SIGNED));
            assertThrows(IllegalArgumentException.class, () -> ImageTensors.toBatch(manager,
                    List.of(TestImages.random(5, 4, 1), TestImages.random(4, 5, 1)), ImageTensors.Range.UNIT));
        }
    }

    @Test
    void outOfRangeValuesAreClampedAndRounded() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            float[] values = {-3f, 1.5f, 0.5f / 255f, 1.5f / 255f, 2.5f / 255f, 0.4f, Float.NaN, 2f / 255f, 1f};
            // [3, 1, 3]: R = (-3, 1.5, 0.5/255), G = (1.5/255, 2.5/255, 0.4), B = (NaN, 2/255, 1)
            RgbImage image = ImageTensors.toImage(manager.create(values, new Shape(3, 1, 3)), ImageTensors.Range.UNIT);
            assertEquals(0, image.get(0, 0, 0));
            assertEquals(255, image.get(1, 0, 0));
            assertEquals(0, image.get(2, 0, 0), "0.5 rounds half to even");
            assertEquals(2, image.get(0, 0, 1), "1.5 rounds half to even");
            assertEquals(2, image.get(1, 0, 1), "2.5 rounds half to even");
            assertEquals(102, image.get(2, 0, 1));
            assertEquals(0, image.get(0, 0, 2), "NaN becomes 0");
            assertEquals(2, image.get(1, 0, 2));
            assertEquals(255, image.get(2, 0, 2));
        }
    }
}
