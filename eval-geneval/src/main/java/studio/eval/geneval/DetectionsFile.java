package studio.eval.geneval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalClause;

/**
 * Detections computed elsewhere, so the rules can be checked apart from any detector. JSON lines, one per
 * image of the output folder:
 *
 * <pre>{"image": "00012/samples/0003.png", "detections": [
 *   {"class": "dog", "score": 0.97, "box": [x1, y1, x2, y2],
 *    "mask": {"size": [h, w], "counts": "...COCO RLE, string or list..."},
 *    "color": "brown"}]}</pre>
 *
 * <ul>
 * <li>{@code image}: the PNG's path relative to the image folder, with {@code /}; every image of the
 *     folder needs exactly one line ({@code "detections": []} when nothing was found).</li>
 * <li>{@code class}, {@code score}, {@code box} (pixels, x right, y down): required. All detections are
 *     listed unfiltered; the rules apply the thresholds, the 16 cap and sorting.</li>
 * <li>{@code mask}: optional; a COCO RLE object, or a string naming a PNG (non-black = inside) relative to
 *     the detections file's folder. Used only to build colour crops.</li>
 * <li>{@code color}: optional; one of the ten GenEval colours, used instead of a colour classifier.</li>
 * </ul>
 * Lines are checked when read; masks are decoded only when an image is scored.
 */
public final class DetectionsFile implements DetectionSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LINE_KEYS = Set.of("image", "detections");
    private static final Set<String> DETECTION_KEYS = Set.of("class", "score", "box", "mask", "color");

    private final Path file;
    private final Map<String, Entry> entries;

    /** One line: where it is, and its detections (masks still undecoded). */
    private record Entry(String where, List<JsonNode> detections) {}

    private DetectionsFile(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    public static DetectionsFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file.toString(), "no such file");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonNode node = parseObject(lines.get(i), where);
            refuseUnknownKeys(node, LINE_KEYS, where, "");
            JsonNode image = node.get("image");
            if (image == null || !image.isTextual() || image.textValue().isBlank()) {
                throw new BadInputException(where, "\"image\" must be the PNG's path relative to the image folder");
            }
            JsonNode list = node.get("detections");
            if (list == null || !list.isArray()) {
                throw new BadInputException(where, "\"detections\" must be a list (empty when nothing was found)");
            }
            List<JsonNode> detections = new ArrayList<>();
            list.forEach(detections::add);
            for (int d = 0; d < detections.size(); d++) {
                parseDetection(detections.get(d), file.toAbsolutePath().getParent(), where, "detections[" + d + "]", false);
            }
            Entry previous = entries.put(image.textValue(), new Entry(where, detections));
            if (previous != null) {
                throw new BadInputException(where, "image \"" + image.textValue() + "\" already listed at " + previous.where());
            }
        }
        return new DetectionsFile(file, entries);
    }

    public Set<String> images() {
        return entries.keySet();
    }

    /** Refuses lines for images that were not scored (a detections file for another folder, or a typo). */
    public void requireOnly(Set<String> scoredImages) {
        List<String> extra = entries.keySet().stream().filter(k -> !scoredImages.contains(k)).toList();
        if (!extra.isEmpty()) {
            throw new BadInputException(entries.get(extra.get(0)).where(), "image \"" + extra.get(0)
                    + "\" is not in the image folder" + (extra.size() > 1 ? " (and " + (extra.size() - 1) + " more)" : ""));
        }
    }

    @Override
    public List<Detection> detections(Path image, String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            throw new BadInputException(file.toString(), "no line for image \"" + key
                    + "\"; add {\"image\": \"" + key + "\", \"detections\": []} if nothing was detected");
        }
        List<Detection> detections = new ArrayList<>();
        for (int d = 0; d < entry.detections().size(); d++) {
            detections.add(parseDetection(entry.detections().get(d), file.toAbsolutePath().getParent(),
                    entry.where(), "detections[" + d + "]", true));
        }
        return detections;
    }

    private static Detection parseDetection(JsonNode node, Path folder, String where, String field, boolean decodeMask) {
        if (!node.isObject()) {
            throw new BadInputException(where, "\"" + field + "\" must be an object");
        }
        refuseUnknownKeys(node, DETECTION_KEYS, where, field + ".");
        JsonNode className = node.get("class");
        if (className == null || !className.isTextual() || className.textValue().isBlank()) {
            throw new BadInputException(where, "\"" + field + ".class\" must be a non-empty string");
        }
        JsonNode score = node.get("score");
        if (score == null || !score.isNumber() || !(score.doubleValue() >= 0 && score.doubleValue() <= 1)) {
            throw new BadInputException(where, "\"" + field + ".score\" must be a number in [0, 1], got " + score);
        }
        Box box = box(node.get("box"), where, field + ".box");
        String color = null;
        if (node.has("color")) {
            JsonNode c = node.get("color");
            if (!c.isTextual() || !GenevalClause.COLORS.contains(c.textValue())) {
                throw new BadInputException(where, "\"" + field + ".color\" must be one of " + String.join(", ", GenevalClause.COLORS)
                        + ", got " + c);
            }
            color = c.textValue();
        }
        Mask mask = null;
        if (node.has("mask")) {
            mask = mask(node.get("mask"), folder, where, field + ".mask", decodeMask);
        }
        return new Detection(className.textValue(), score.doubleValue(), box, mask, color);
    }

    private static Box box(JsonNode node, String where, String field) {
        if (node == null || !node.isArray() || node.size() != 4) {
            throw new BadInputException(where, "\"" + field + "\" must be [x1, y1, x2, y2], got " + node);
        }
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            if (!node.get(i).isNumber()) {
                throw new BadInputException(where, "\"" + field + "\" must hold numbers, got " + node);
            }
            v[i] = node.get(i).doubleValue();
        }
        try {
            return new Box(v[0], v[1], v[2], v[3]);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where, "\"" + field + "\": " + e.getMessage());
        }
    }

    private static Mask mask(JsonNode node, Path folder, String where, String field, boolean decode) {
        if (node.isTextual()) {
            Path png = folder.resolve(node.textValue()).normalize();
            if (!png.startsWith(folder)) {
                throw new BadInputException(where, "\"" + field + "\" points outside the detections file's folder");
            }
            return decode ? pngMask(png, where, field) : null;
        }
        JsonNode size = node.get("size");
        JsonNode counts = node.get("counts");
        if (!node.isObject() || size == null || !size.isArray() || size.size() != 2 || !size.get(0).canConvertToInt()
                || !size.get(1).canConvertToInt() || counts == null || !(counts.isTextual() || counts.isArray())) {
            throw new BadInputException(where, "\"" + field + "\" must be a PNG path or a COCO RLE {\"size\": [h, w], \"counts\": ...}");
        }
        if (!decode) {
            return null;
        }
        try {
            long[] runs = counts.isTextual() ? RleMasks.runsFromString(counts.textValue()) : longs(counts);
            return RleMasks.decode(size.get(0).intValue(), size.get(1).intValue(), runs);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where, "\"" + field + "\": " + e.getMessage());
        }
    }

    private static long[] longs(JsonNode counts) {
        long[] runs = new long[counts.size()];
        for (int i = 0; i < runs.length; i++) {
            if (!counts.get(i).canConvertToLong() || !counts.get(i).isIntegralNumber()) {
                throw new IllegalArgumentException("counts must be integers");
            }
            runs[i] = counts.get(i).longValue();
        }
        return runs;
    }

    private static Mask pngMask(Path png, String where, String field) {
        BufferedImage image;
        try {
            image = Files.isRegularFile(png) ? ImageIO.read(png.toFile()) : null;
        } catch (IOException e) {
            throw new BadInputException(where, "\"" + field + "\": cannot read " + png + ": " + e.getMessage());
        }
        if (image == null) {
            throw new BadInputException(where, "\"" + field + "\": " + png + " is not a readable PNG");
        }
        BitSet inside = new BitSet(image.getWidth() * image.getHeight());
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) != 0) {
                    inside.set(y * image.getWidth() + x);
                }
            }
        }
        return new Mask(image.getWidth(), image.getHeight(), inside);
    }

    private static JsonNode parseObject(String line, String where) {
        try {
            JsonNode node = JSON.readTree(line);
            if (node == null || !node.isObject()) {
                throw new BadInputException(where, "expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new BadInputException(where, "malformed JSON: " + e.getOriginalMessage());
        }
    }

    private static void refuseUnknownKeys(JsonNode node, Set<String> known, String where, String prefix) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new BadInputException(where, "unknown field \"" + prefix + name + "\"; expected "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }
}
