package studio.server.work;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.core.data.Violation;
import studio.core.data.pancap.DatasetStats;
import studio.core.data.pancap.DatasetValidator;
import studio.server.jobs.JobTask;

/** Dataset work as jobs: {@code studio data stats} and {@code studio data validate} of a dataset under the root. */
public final class DatasetJobs {
    /** Violations beyond this many are counted, not listed (a broken dataset can have thousands). */
    static final int MAX_LISTED = 500;

    private DatasetJobs() {}

    public static JobTask stats(String name, Path dir) {
        return ctx -> {
            ctx.progress(0, 1, "reading " + name);
            DatasetStats s = DatasetStats.of(dir);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataset", name);
            m.put("images", s.images());
            m.put("captions", s.captions());
            m.put("unparsableCaptions", s.unparsableCaptions());
            m.put("wordsPerCaption", s.wordsPerCaption());
            m.put("masksPerImage", s.masksPerImage());
            m.put("thingsPerImage", s.thingsPerImage());
            m.put("stuffPerImage", s.stuffPerImage());
            m.put("text", s.format());
            ctx.progress(1, 1, "done");
            return m;
        };
    }

    public static JobTask validate(String name, Path dir) {
        return ctx -> {
            ctx.progress(0, 1, "validating " + name);
            List<Violation> violations = DatasetValidator.validate(dir);
            List<Map<String, Object>> listed = new ArrayList<>();
            for (Violation v : violations.subList(0, Math.min(MAX_LISTED, violations.size()))) {
                listed.add(Map.of("file", v.file(), "line", v.line(), "message", v.message()));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataset", name);
            m.put("ok", violations.isEmpty());
            m.put("violationCount", violations.size());
            m.put("violations", listed);
            ctx.progress(1, 1, violations.isEmpty() ? "no violations" : violations.size() + " violations");
            return m;
        };
    }
}
