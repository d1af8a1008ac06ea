package studio.eval.geneval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import studio.core.BadInputException;
import studio.core.io.AtomicFiles;

/** Writes and reads results.jsonl; reading also accepts the official evaluator's files. */
public final class ResultsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultsFile() {}

    /** Writes the lines atomically (a reader never sees half a file). */
    public static void write(Path file, List<ImageResult> results) throws IOException {
        StringBuilder text = new StringBuilder();
        for (ImageResult result : results) {
            text.append(result.toJsonLine()).append('\n');
        }
        AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static List<ImageResult> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file.toString(), "no such file");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<ImageResult> results = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                results.add(parse(lines.get(i), file + ":" + (i + 1)));
            }
        }
        return results;
    }

    private static ImageResult parse(String line, String where) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where, "malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject() || !node.path("correct").isBoolean()) {
            throw new BadInputException(where, "expected an object with a boolean \"correct\"");
        }
        for (String field : List.of("filename", "tag", "metadata")) {
            if (!node.path(field).isTextual()) {
                throw new BadInputException(where, "missing text field \"" + field + "\"");
            }
        }
        return new ImageResult(node.get("filename").textValue(), node.get("tag").textValue(),
                node.path("prompt").asText(""), node.get("correct").booleanValue(), node.path("reason").asText(""),
                node.get("metadata").textValue(), node.path("details").asText(""));
    }
}
