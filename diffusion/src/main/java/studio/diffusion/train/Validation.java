package studio.diffusion.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import studio.core.data.DataPng;
import studio.core.image.RgbImage;
import studio.core.image.VideoWriter;
import studio.core.train.Checkpoints;

/**
 * Validation images every N steps (and at step 0) at fixed prompts and seeds:
 * {@code validation/step-NNNNNNNN/p<i>-s<seed>.png} plus {@code grid.png} (one row per prompt, one column per
 * seed). At the end every grid, in step order, becomes {@code validation/progress.mp4} (GIF when no MP4
 * encoder is available): the run's images improving over time. Frames come from disk, so a resumed run's
 * video includes those drawn before the kill.
 */
final class Validation {
    private final Path dir;
    private final TrainConfig.Validation cfg;
    private final ValidationRenderer renderer;

    Validation(Path runDir, TrainConfig.Validation cfg, ValidationRenderer renderer) {
        this.dir = runDir.resolve("validation");
        this.cfg = cfg;
        this.renderer = renderer;
    }

    boolean enabled() {
        return renderer != null && cfg.every() > 0;
    }

    /** Draws and stores the images of {@code step} when it is a validation step; returns their files (else empty). */
    List<Path> maybeRender(long step, Trainables t) throws IOException {
        if (!enabled() || step % cfg.every() != 0) {
            return List.of();
        }
        t.setTraining(false);
        List<RgbImage> images = renderer.render(t.model(), cfg.prompts(), cfg.seeds());
        Path out = Files.createDirectories(dir.resolve(Checkpoints.name(step)));
        int k = 0;
        List<Path> files = new ArrayList<>();
        for (int p = 0; p < cfg.prompts().size(); p++) {
            for (long seed : cfg.seeds()) {
                Path file = out.resolve("p" + p + "-s" + seed + ".png");
                DataPng.write(file, images.get(k++));
                files.add(file);
            }
        }
        DataPng.write(out.resolve("grid.png"), grid(images, cfg.seeds().size()));
        return files;
    }

    /** Tiles images row-major, {@code columns} per row (all the same size). */
    static RgbImage grid(List<RgbImage> images, int columns) {
        int w = images.get(0).width();
        int h = images.get(0).height();
        int rows = (images.size() + columns - 1) / columns;
        byte[] rgb = new byte[3 * w * columns * h * rows];
        for (int i = 0; i < images.size(); i++) {
            RgbImage im = images.get(i);
            int ox = i % columns * w;
            int oy = i / columns * h;
            for (int y = 0; y < h; y++) {
                System.arraycopy(im.rgb(), 3 * y * w, rgb, 3 * ((oy + y) * w * columns + ox), 3 * w);
            }
        }
        return new RgbImage(w * columns, h * rows, rgb);
    }

    /** Writes the video of all grids; null when validation is off or drew fewer than two frames. */
    Path video(Consumer<String> log) {
        if (!enabled() || !Files.isDirectory(dir)) {
            return null;
        }
        List<RgbImage> frames = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path step : s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList()) {
                if (Files.exists(step.resolve("grid.png"))) {
                    frames.add(DataPng.read(step.resolve("grid.png")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (frames.size() < 2) {
            return null;
        }
        try {
            Path mp4 = dir.resolve("progress.mp4");
            VideoWriter.writeMp4(mp4, frames, 4);
            return mp4;
        } catch (RuntimeException e) {
            log.accept("no MP4 encoder (" + e.getMessage() + "); writing a GIF");
            Path gif = dir.resolve("progress.gif");
            VideoWriter.writeGif(gif, frames, 4);
            return gif;
        }
    }
}
