package studio.server.store;

import java.util.Map;

/**
 * One generated image: its file (relative to the studio home's images folder), the job that made it, and the
 * parameters that reproduce it (the generate request with this image's own seed and batch 1).
 */
public record ImageRow(String id, String jobId, int index, String file, long seed, int width, int height,
                       Map<String, Object> params, Map<String, Object> metadata, long createdMs) {

    public ImageRow {
        params = params == null ? Map.of() : params;
        metadata = metadata == null ? Map.of() : metadata;
    }
}
