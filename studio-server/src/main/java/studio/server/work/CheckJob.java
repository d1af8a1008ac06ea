package studio.server.work;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.server.jobs.JobTask;

/** The task of a check job: the closed-loop check of a stored image, with its overlay under the job's files. */
public final class CheckJob {
    private CheckJob() {}

    /** {@code image}: the real path of the image; {@code jobFiles}: the folder the overlay goes to. */
    public static JobTask task(ImageChecker checker, Path image, String prompt, String captioner,
                               java.util.function.Function<String, Path> jobFiles) {
        return ctx -> {
            ctx.progress(0, 1, "checking");
            Path dir = jobFiles.apply(ctx.jobId());
            Files.createDirectories(dir);
            Map<String, Object> report = new LinkedHashMap<>(checker.check(image, prompt, captioner, dir.resolve("overlay.png")));
            report.put("overlayUrl", "/api/jobs/" + ctx.jobId() + "/files/overlay.png");
            ctx.progress(1, 1, "checked");
            return report;
        };
    }
}
