package studio.server.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import studio.server.store.ImageRow;

/** The API's view of a generated image: its URL, size, seed and the parameters that reproduce it. */
public final class ImageJson {
    private ImageJson() {}

    public static Map<String, Object> of(ImageRow i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("jobId", i.jobId());
        m.put("index", i.index());
        m.put("url", "/api/images/" + i.id() + "/png");
        m.put("seed", i.seed());
        m.put("width", i.width());
        m.put("height", i.height());
        m.put("params", i.params());
        m.put("metadata", i.metadata());
        m.put("createdMs", i.createdMs());
        return m;
    }
}
