package studio.core.image;

import java.util.ArrayList;
import java.util.List;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Conversions between {@link RgbImage} and DJL tensors in channel-first layout: one image is
 * {@code [3, H, W]}, a batch {@code [B, 3, H, W]}, float32, in one of two value ranges
 * ({@link Range}). Pixels are rearranged in Java and copied once, so results do not depend on the
 * device; back-conversion copies the tensor to the host.
 *
 * <p>Back to 8 bits: {@code clamp(round(255 · x01), 0, 255)} with round-half-to-even, the rule of
 * diffusers' {@code numpy_to_pil} ({@code (images * 255).round()}). 8-bit → {@link Range#SIGNED}
 * → 8-bit is exact for all 256 values.
 */
public final class ImageTensors {

    /** The value range of a float image tensor. */
    public enum Range {
        /** [0, 1]: {@code x = v / 255}; CLIP / Inception / DINOv2 preprocessing starts here. */
        UNIT,
        /** [-1, 1]: {@code x = v / 127.5 − 1}; the SD3 VAE's input and output range. */
        SIGNED
    }

    private ImageTensors() {
    }

    /** {@code [3, H, W]} float32 tensor of {@code image} in {@code range}, owned by {@code manager}. */
    public static NDArray toTensor(NDManager manager, RgbImage image, Range range) {
        float[] chw = new float[image.rgb().length];
        fillChw(image, range, chw, 0);
        return manager.create(chw, new Shape(3, image.height(), image.width()));
    }

    /** {@code [B, 3, H, W]} float32 tensor of equally sized images. */
    public static NDArray toBatch(NDManager manager, List<RgbImage> images, Range range) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("empty image batch");
        }
        RgbImage first = images.get(0);
        int perImage = first.rgb().length;
        float[] bchw = new float[Math.multiplyExact(perImage, images.size())];
        for (int b = 0; b < images.size(); b++) {
            RgbImage image = images.get(b);
            if (image.width() != first.width() || image.height() != first.height()) {
                throw new IllegalArgumentException("batch image " + b + " is " + image.width() + "x" + image.height()
                        + ", expected " + first.width() + "x" + first.height());
            }
            fillChw(image, range, bchw, b * perImage);
        }
        return manager.create(bchw, new Shape(images.size(), 3, first.height(), first.width()));
    }

    /** The image of a {@code [3, H, W]} tensor in {@code range} (rounded, clamped). */
    public static RgbImage toImage(NDArray tensor, Range range) {
        Shape shape = tensor.getShape();
        if (shape.dimension() != 3 || shape.get(0) != 3) {
            throw new IllegalArgumentException("expected a [3, H, W] tensor, got " + shape);
        }
        return fromChw(hostFloats(tensor), 0, (int) shape.get(1), (int) shape.get(2), range);
    }

    /** The images of a {@code [B, 3, H, W]} tensor in {@code range} (rounded, clamped). */
    public static List<RgbImage> toImages(NDArray batch, Range range) {
        Shape shape = batch.getShape();
        if (shape.dimension() != 4 || shape.get(1) != 3) {
            throw new IllegalArgumentException("expected a [B, 3, H, W] tensor, got " + shape);
        }
        float[] values = hostFloats(batch);
        int height = (int) shape.get(2);
        int width = (int) shape.get(3);
        List<RgbImage> images = new ArrayList<>();
        for (int b = 0; b < shape.get(0); b++) {
            images.add(fromChw(values, b * 3 * height * width, height, width, range));
        }
        return images;
    }

    private static void fillChw(RgbImage image, Range range, float[] out, int offset) {
        byte[] rgb = image.rgb();
        int plane = image.width() * image.height();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                int v = rgb[p * 3 + c] & 0xFF;
                out[offset + c * plane + p] = range == Range.UNIT ? v / 255f : v / 127.5f - 1f;
            }
        }
    }

    private static RgbImage fromChw(float[] values, int offset, int height, int width, Range range) {
        RgbImage.checkPixelCount(width, height);
        int plane = width * height;
        byte[] rgb = new byte[plane * 3];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float x = values[offset + c * plane + p];
                // float32 arithmetic, as numpy/torch do it on float32 tensors
                float scaled = range == Range.UNIT ? x * 255f : (x + 1f) * 127.5f;
                // NaN maps to 0: a diverged model must still produce a (black) image, not an exception.
                double rounded = Float.isNaN(scaled) ? 0 : Math.rint(scaled);
                rgb[p * 3 + c] = (byte) Math.max(0, Math.min(255, rounded));
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** The tensor's values as float32 on the host (bf16 must be cast by the caller; DJL cannot). */
    private static float[] hostFloats(NDArray tensor) {
        if (tensor.getDataType() == DataType.FLOAT32) {
            return tensor.toFloatArray();
        }
        try (NDArray asFloat = tensor.toType(DataType.FLOAT32, false)) {
            return asFloat.toFloatArray();
        }
    }
}
