package studio.eval.geneval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import studio.core.data.geneval.GenevalPromptLine;
import studio.core.data.geneval.PythonJson;

/**
 * One line of results.jsonl, with the fields {@code evaluate_image} returns, in its order
 * (evaluate_images.py): {@code filename, tag, prompt, correct, reason, metadata, details}.
 * {@code metadata} is {@code json.dumps(metadata)}; {@code details} is {@code json.dumps} of the kept
 * detections per class, each {@code [x1, y1, x2, y2, score]}.
 */
public record ImageResult(String filename, String tag, String prompt, boolean correct, String reason,
                          String metadata, String details) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static ImageResult of(String filename, GenevalPromptLine prompt, Verdict verdict,
                                 Map<String, List<Detection>> kept) {
        return new ImageResult(filename, prompt.tag(), prompt.prompt(), verdict.correct(), verdict.reason(),
                prompt.json(), details(kept));
    }

    static String details(Map<String, List<Detection>> kept) {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        kept.forEach((className, detections) -> {
            ArrayNode boxes = details.putArray(className);
            for (Detection d : detections) {
                boxes.addArray().add(d.box().x1()).add(d.box().y1()).add(d.box().x2()).add(d.box().y2()).add(d.score());
            }
        });
        return PythonJson.dumps(details);
    }

    /** The line as JSON (pandas {@code to_json(orient="records", lines=True)} also escapes "/" as "\/"; readers agree). */
    public String toJsonLine() {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("filename", filename);
        line.put("tag", tag);
        line.put("prompt", prompt);
        line.put("correct", correct);
        line.put("reason", reason);
        line.put("metadata", metadata);
        line.put("details", details);
        try {
            return JSON.writeValueAsString(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
