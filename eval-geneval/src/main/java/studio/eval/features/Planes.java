package studio.eval.features;

import studio.core.image.RgbImage;

/**
 * A float image in channel-major layout ("CHW"), the layout networks take: value of channel {@code c} at
 * ({@code x}, {@code y}) is {@code data[(c * height + y) * width + x]}.
 */
public record Planes(int channels, int height, int width, float[] data) {

    public Planes {
        if (channels < 1 || height < 1 || width < 1 || (long) channels * height * width != data.length) {
            throw new IllegalArgumentException("planes [" + channels + ", " + height + ", " + width + "] need "
                    + (long) channels * height * width + " values, got " + data.length);
        }
    }

    /** The RGB bytes as floats 0..255 (numpy's {@code astype(np.float32)} of the uint8 array). */
    public static Planes bytes(RgbImage image) {
        int h = image.height();
        int w = image.width();
        byte[] rgb = image.rgb();
        float[] out = new float[3 * h * w];
        int plane = h * w;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + p] = rgb[p * 3 + c] & 0xFF;
            }
        }
        return new Planes(3, h, w, out);
    }

    /** ToTensor: bytes / 255 as float32, exactly as {@code img.float().div(255)}. */
    public static Planes toTensor(RgbImage image) {
        int h = image.height();
        int w = image.width();
        byte[] rgb = image.rgb();
        float[] out = new float[3 * h * w];
        int plane = h * w;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + p] = (rgb[p * 3 + c] & 0xFF) / 255f;
            }
        }
        return new Planes(3, h, w, out);
    }

    /** {@code (x − mean[c]) / std[c]} per channel, in float as torchvision's Normalize. */
    public Planes normalize(float[] mean, float[] std) {
        float[] out = new float[data.length];
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            float m = mean[c];
            float s = std[c];
            for (int p = c * plane; p < (c + 1) * plane; p++) {
                out[p] = (data[p] - m) / s;
            }
        }
        return new Planes(channels, height, width, out);
    }

    /** {@code x·scale + shift} everywhere (pytorch-fid's 2x − 1; clean-fid's (x − 128) / 128 is scale 1/128, shift −1). */
    public Planes affine(float scale, float shift) {
        float[] out = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = data[i] * scale + shift;
        }
        return new Planes(channels, height, width, out);
    }

    /** {@code x / divisor} everywhere, a true division as torch's {@code div} (dgm-eval's {@code to_tensor(x) / 255}). */
    public Planes divide(float divisor) {
        float[] out = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = data[i] / divisor;
        }
        return new Planes(channels, height, width, out);
    }

    /** Values clamped to [lo, hi] (clean-fid clips the float resize to [0, 255]). */
    public Planes clamp(float lo, float hi) {
        float[] out = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = Math.min(hi, Math.max(lo, data[i]));
        }
        return new Planes(channels, height, width, out);
    }
}
