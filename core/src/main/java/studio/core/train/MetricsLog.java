package studio.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per logged step ({@code step, loss, lr, grad_norm, images_per_s,
 * rss_mb, ...}), appended and flushed per line so a killed run keeps what it logged (the loss graph of
 * ai-toolkit / SimpleTuner reads such a file). On resume from step k, lines after k (logged by the killed
 * run past its last checkpoint) are dropped first, so the file reads as one run.
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;

    private MetricsLog(BufferedWriter out) {
        this.out = out;
    }

    /** Opens {@code file} for appending, keeping only lines with {@code step <= resumeStep} (all when resumeStep < 0 … none). */
    public static MetricsLog open(Path file, long keepUpToStep) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && parseStep(line) <= keepUpToStep) {
                    kept.add(line);
                }
            }
            Files.write(file, kept, StandardCharsets.UTF_8);
        }
        return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND));
    }

    private static long parseStep(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            return n.has("step") ? n.get("step").asLong() : Long.MAX_VALUE;
        } catch (IOException e) {
            return Long.MAX_VALUE; // a line cut by the kill: dropped
        }
    }

    /** Appends one record (insertion order kept) and flushes. */
    public void append(Map<String, Object> record) throws IOException {
        out.write(JSON.writeValueAsString(record));
        out.newLine();
        out.flush();
    }

    /** Every record of a metrics file, in order. */
    public static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
