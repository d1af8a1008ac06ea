package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import studio.core.image.RgbImage;

/**
 * A weight-free, exactly invertible "latent space" for tiny models and tests: the image in [−1, 1],
 * averaged over f×f cells, channel k = s_k · rgb[k mod 3] with signs s_k = +1, +1, +1, −1, −1, −1, ...
 * (so C may be any count, e.g. 4 for MmditConfig.tiny(), 16 for SD3's shape). Decoding averages the
 * channels of each colour and repeats each cell f×f times. It stands in for the VAE until the tiny VAE
 * exists; the trainer cannot tell the difference.
 */
public final class PixelLatents implements LatentEncoder, LatentDecoder {
    private final int channels;
    private final int factor;

    public PixelLatents(int channels, int factor) {
        if (channels < 3 || factor < 1) {
            throw new IllegalArgumentException("need at least 3 channels and factor >= 1, got " + channels + ", " + factor);
        }
        this.channels = channels;
        this.factor = factor;
    }

    @Override
    public String id() {
        return "pixel-latents-v1:c" + channels + ":f" + factor;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int factor() {
        return factor;
    }

    private static float sign(int k) {
        return (k / 3) % 2 == 0 ? 1f : -1f;
    }

    @Override
    public NDArray encode(NDManager manager, RgbImage image) {
        if (image.width() % factor != 0 || image.height() % factor != 0) {
            throw new IllegalArgumentException("image " + image.width() + "x" + image.height() + " is not a multiple of " + factor);
        }
        int h = image.height() / factor;
        int w = image.width() / factor;
        float[] cells = new float[3 * h * w];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    cells[(c * h + y / factor) * w + x / factor] += image.get(x, y, c) / 127.5f - 1f;
                }
            }
        }
        float[] out = new float[channels * h * w];
        float n = factor * factor;
        for (int k = 0; k < channels; k++) {
            for (int i = 0; i < h * w; i++) {
                out[k * h * w + i] = sign(k) * cells[(k % 3) * h * w + i] / n;
            }
        }
        return manager.create(out, new Shape(channels, h, w));
    }

    @Override
    public RgbImage decode(NDArray latent) {
        int h = (int) latent.getShape().get(1);
        int w = (int) latent.getShape().get(2);
        float[] z = latent.toFloatArray();
        byte[] rgb = new byte[3 * h * factor * w * factor];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h * w; i++) {
                float sum = 0;
                int count = 0;
                for (int k = c; k < channels; k += 3) {
                    sum += sign(k) * z[k * h * w + i];
                    count++;
                }
                int v = Math.round((sum / count + 1f) * 127.5f);
                byte b = (byte) Math.max(0, Math.min(255, v));
                int cy = i / w;
                int cx = i % w;
                for (int dy = 0; dy < factor; dy++) {
                    for (int dx = 0; dx < factor; dx++) {
                        rgb[((cy * factor + dy) * w * factor + cx * factor + dx) * 3 + c] = b;
                    }
                }
            }
        }
        return new RgbImage(w * factor, h * factor, rgb);
    }
}
