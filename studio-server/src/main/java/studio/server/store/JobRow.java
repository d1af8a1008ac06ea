package studio.server.store;

import java.util.Map;

/**
 * One job as stored: what was asked ({@code params}), where it is ({@code state}, {@code step} of {@code steps}),
 * what came out ({@code result}) or why not ({@code error}). Times are epoch milliseconds (0 = not yet).
 */
public record JobRow(String id, String kind, String state, Map<String, Object> params, Map<String, Object> result,
                     String error, int step, int steps, long createdMs, long startedMs, long finishedMs) {

    public JobRow {
        params = params == null ? Map.of() : params;
        result = result == null ? Map.of() : result;
    }
}
