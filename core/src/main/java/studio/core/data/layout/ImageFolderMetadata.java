package studio.core.data.layout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import studio.core.data.Problems;

/**
 * Hugging Face {@code imagefolder} with {@code metadata.jsonl}: one JSON object per line with
 * {@code file_name} (relative to the folder) and the caption column ({@code text} by default, as the
 * diffusers training scripts expect; {@code caption} is taken when there is no {@code text}).
 * File names that leave the folder are refused (untrusted input).
 */
public final class ImageFolderMetadata {
    public static final String FILE = "metadata.jsonl";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ImageFolderMetadata() {}

    public static List<CaptionedImage> read(Path dir, Problems problems) throws IOException {
        Path file = dir.resolve(FILE);
        List<CaptionedImage> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int n = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                n++;
                if (!line.isBlank()) {
                    readLine(dir, line, n, problems, out);
                }
            }
        } catch (NoSuchFileException e) {
            problems.report(file.toString(), 0, "file not found");
        }
        return out;
    }

    private static void readLine(Path dir, String line, int n, Problems problems, List<CaptionedImage> out) {
        String where = dir.resolve(FILE).toString();
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            problems.report(where, n, "malformed JSON: " + e.getOriginalMessage());
            return;
        }
        JsonNode name = node == null ? null : node.get("file_name");
        JsonNode text = node == null ? null : node.has("text") ? node.get("text") : node.get("caption");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
            problems.report(where, n, "file_name: expected a string");
            return;
        }
        if (text == null || !text.isTextual()) {
            problems.report(where, n, "text: expected a string caption (column 'text' or 'caption')");
            return;
        }
        Path image = dir.resolve(name.asText()).normalize();
        if (!image.startsWith(dir.normalize())) {
            problems.report(where, n, "file_name '" + name.asText() + "' points outside the folder");
            return;
        }
        if (!Files.isRegularFile(image)) {
            problems.report(where, n, "image " + name.asText() + " is missing");
            return;
        }
        out.add(new CaptionedImage(KohyaFolder.stem(image), image, text.asText()));
    }

    /** Writes {@code metadata.jsonl} lines {@code {"file_name": ..., "text": ...}} in the given order. */
    public static void write(Path dir, List<CaptionedImage> rows) throws IOException {
        StringBuilder s = new StringBuilder();
        for (CaptionedImage r : rows) {
            s.append("{\"file_name\": ").append(MAPPER.writeValueAsString(dir.relativize(r.image()).toString().replace('\\', '/')))
                    .append(", \"text\": ").append(MAPPER.writeValueAsString(r.caption())).append("}\n");
        }
        Files.writeString(dir.resolve(FILE), s.toString(), StandardCharsets.UTF_8);
    }
}
