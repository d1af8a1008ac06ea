package studio.server.work;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.core.data.DataPng;
import studio.core.image.RgbImage;
import studio.server.app.Roots;
import studio.server.jobs.ImageJson;
import studio.server.jobs.JobContext;
import studio.server.jobs.JobTask;
import studio.server.store.ImageRow;

/** The task of a generate job: run the generator, write each PNG under {@code images/}, store and announce it. */
public final class GenerateJob {
    private GenerateJob() {}

    public static JobTask task(GenerateParams params, ImageGenerator generator, Roots roots, Clock clock) {
        return ctx -> {
            ctx.log("generating " + params.batch() + " image(s) with " + params.model() + ", " + params.steps()
                    + " steps, seed " + params.seed());
            List<ImageGenerator.Image> images = generator.generate(params, new ImageGenerator.StepListener() {
                @Override
                public void step(int step, int steps) {
                    ctx.checkCancelled();
                    ctx.progress(step, steps, "step " + step + "/" + steps);
                }

                @Override
                public int previewEvery() {
                    return params.previewEvery();
                }

                @Override
                public void preview(int step, int steps, RgbImage image) {
                    // Served by JobRoutes (/api/jobs/{id}/files/{name}), confined to the job's folder.
                    String name = String.format(java.util.Locale.ROOT, "preview-%04d.png", step);
                    DataPng.write(roots.jobFiles(ctx.jobId()).resolve(name), image);
                    ctx.preview("/api/jobs/" + ctx.jobId() + "/files/" + name, "step " + step + "/" + steps);
                }
            });
            List<Map<String, Object>> stored = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                stored.add(ImageJson.of(store(ctx, params, images.get(i), i, roots, clock)));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("images", stored);
            return result;
        };
    }

    private static ImageRow store(JobContext ctx, GenerateParams params, ImageGenerator.Image image, int index,
                                  Roots roots, Clock clock) {
        String id = ctx.jobId() + "-" + index;
        String file = id + ".png";
        Path path = roots.images().resolve(file);
        image.writePng(path);
        ImageRow row = new ImageRow(id, ctx.jobId(), index, file, image.seed(), image.width(), image.height(),
                params.reproduce(index), image.metadata(), clock.millis());
        ctx.image(row);
        ctx.log("wrote image " + index + " (" + image.width() + "x" + image.height() + ", seed " + image.seed() + ")");
        return row;
    }
}
