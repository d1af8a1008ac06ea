package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import studio.core.BadInputException;
import studio.core.data.DataPng;
import studio.core.data.world.WorldGenerator;
import studio.core.image.RgbImage;

/**
 * The images of a PanCap world folder ({@code images/*.png}, sorted by name) held in memory as RGB bytes, handed out
 * as [B, 3, H, W] fp32 batches in [−1, 1] (the VAE's input range, SD3.md §3). The world is generated first when the
 * folder is absent and {@code world.count > 0}.
 */
final class WorldImages {
    private final List<RgbImage> images;
    private final int side;

    private WorldImages(List<RgbImage> images, int side) {
        this.images = images;
        this.side = side;
    }

    static WorldImages load(VaeTrainConfig.Data d, Consumer<String> log) throws IOException {
        Path dir = Path.of(d.dir());
        if (d.world().count() > 0 && !Files.exists(dir)) {
            log.accept("generating a PanCap world of " + d.world().count() + " images in " + dir);
            WorldGenerator.generate(dir, d.world().seed(), d.world().count(), d.world().size(), 2);
        }
        Path folder = dir.resolve("images");
        if (!Files.isDirectory(folder)) {
            throw new BadInputException("data.dir", "no images/ folder in " + dir);
        }
        List<RgbImage> images;
        try (Stream<Path> files = Files.list(folder)) {
            images = files.filter(p -> p.toString().endsWith(".png")).sorted().map(DataPng::read).toList();
        }
        if (images.isEmpty()) {
            throw new BadInputException("data.dir", "no PNG images in " + folder);
        }
        for (RgbImage im : images) {
            if (im.width() != d.resolution() || im.height() != d.resolution()) {
                throw new BadInputException("data.resolution", "images are " + im.width() + "×" + im.height()
                        + ", the config says " + d.resolution() + " (generate the world at that size)");
            }
        }
        log.accept("data: " + images.size() + " images of " + d.resolution() + " px from " + dir);
        return new WorldImages(images, d.resolution());
    }

    int count() {
        return images.size();
    }

    /** Images {@code idx} as [B, 3, H, W] fp32, x/127.5 − 1. */
    NDArray batch(NDManager manager, int[] idx) {
        int plane = side * side;
        float[] out = new float[idx.length * 3 * plane];
        for (int b = 0; b < idx.length; b++) {
            byte[] rgb = images.get(idx[b]).rgb();
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    out[(b * 3 + ch) * plane + p] = (rgb[p * 3 + ch] & 0xFF) / 127.5f - 1f;
                }
            }
        }
        return manager.create(out, new Shape(idx.length, 3, side, side));
    }

    /** [B, 3, H, W] in about [−1, 1] → images, clamped and rounded. */
    static RgbImage[] toImages(NDArray x) {
        Shape s = x.getShape();
        int n = (int) s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] v = x.toFloatArray();
        RgbImage[] out = new RgbImage[n];
        for (int b = 0; b < n; b++) {
            byte[] rgb = new byte[h * w * 3];
            for (int p = 0; p < h * w; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    float f = (v[(b * 3 + ch) * h * w + p] + 1f) * 127.5f;
                    rgb[p * 3 + ch] = (byte) Math.round(Math.max(0f, Math.min(255f, f)));
                }
            }
            out[b] = new RgbImage(w, h, rgb);
        }
        return out;
    }
}
