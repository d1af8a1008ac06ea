package studio.core.data.panoptic;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import studio.core.data.Problems;

/**
 * Reads a COCO panoptic JSON (COCO, COCONut, the world) in one streaming pass. Every entry keeps the
 * line it starts on, so problems name {@code file:line}. A malformed entry is reported to the
 * {@link Problems} sink and skipped; malformed JSON syntax ends the read (nothing after it can be trusted).
 */
public final class PanopticJsonReader {
    private static final ObjectMapper MAPPER = new ObjectMapper(
            JsonFactory.builder().enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private final String name;
    private final Problems problems;
    private final List<ImageInfo> images = new ArrayList<>();
    private final List<PanopticAnnotation> annotations = new ArrayList<>();
    private final List<Category> categories = new ArrayList<>();

    private PanopticJsonReader(String name, Problems problems) {
        this.name = name;
        this.problems = problems;
    }

    /** Reads {@code file}, naming it {@code name} in messages; throws on the first problem. */
    public static PanopticJson read(Path file, String name) {
        return read(file, name, Problems.strict());
    }

    /** Reads {@code file}; problems go to {@code problems}, bad entries are skipped. Null only if the file is unusable. */
    public static PanopticJson read(Path file, String name, Problems problems) {
        try (InputStream in = Files.newInputStream(file)) {
            return new PanopticJsonReader(name, problems).readAll(in);
        } catch (NoSuchFileException e) {
            problems.report(name, 0, "file not found");
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            problems.report(name, Math.max(line, 0), "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            problems.report(name, 0, "cannot read: " + e.getMessage());
        }
        return null;
    }

    private PanopticJson readAll(InputStream in) throws IOException {
        try (JsonParser p = MAPPER.getFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                problems.report(name, Math.max(1, p.currentLocation().getLineNr()), "expected a JSON object");
                return null;
            }
            boolean sawAnnotations = false;
            boolean sawCategories = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "images" -> readArray(p, field, this::readImage);
                    case "annotations" -> { sawAnnotations = true; readArray(p, field, this::readAnnotation); }
                    case "categories" -> { sawCategories = true; readArray(p, field, this::readCategory); }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                problems.report(name, p.currentLocation().getLineNr(), "unexpected content after the top-level object");
            }
            if (!sawAnnotations) {
                problems.report(name, 0, "missing field 'annotations'");
            }
            if (!sawCategories) {
                problems.report(name, 0, "missing field 'categories'");
            }
            return new PanopticJson(images, annotations, categories);
        }
    }

    private interface EntryReader {
        void read(JsonNode node, String path, int line);
    }

    private void readArray(JsonParser p, String field, EntryReader reader) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            problems.report(name, p.currentLocation().getLineNr(), "'" + field + "' must be an array");
            p.skipChildren();
            return;
        }
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            int line = p.currentTokenLocation().getLineNr();
            JsonNode node = MAPPER.readTree(p);
            String path = field + "[" + index++ + "]";
            try {
                reader.read(node, path, line);
            } catch (FieldException e) {
                problems.report(name, line, e.getMessage());
            }
        }
    }

    private void readImage(JsonNode n, String path, int line) {
        images.add(new ImageInfo(Fields.positiveLong(n, path, "id"), Fields.string(n, path, "file_name"),
                Fields.positiveInt(n, path, "width"), Fields.positiveInt(n, path, "height")));
    }

    private void readCategory(JsonNode n, String path, int line) {
        JsonNode color = n.get("color");
        List<Integer> rgb = new ArrayList<>();
        if (color != null && color.isArray() && color.size() == 3) {
            color.forEach(c -> rgb.add(c.asInt()));
        } else {
            rgb.addAll(List.of(0, 0, 0));
        }
        String supercategory = n.hasNonNull("supercategory") ? n.get("supercategory").asText() : "";
        categories.add(new Category(Fields.positiveInt(n, path, "id"), Fields.string(n, path, "name"),
                Fields.flag(n, path, "isthing", true), supercategory, rgb));
    }

    private void readAnnotation(JsonNode n, String path, int line) {
        long imageId = Fields.positiveLong(n, path, "image_id");
        String fileName = Fields.string(n, path, "file_name");
        JsonNode segments = n.get("segments_info");
        if (segments == null || !segments.isArray()) {
            throw new FieldException(path + ".segments_info: expected an array");
        }
        List<SegmentInfo> infos = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            infos.add(readSegment(segments.get(i), path + ".segments_info[" + i + "]"));
        }
        annotations.add(new PanopticAnnotation(imageId, fileName, infos, line));
    }

    private static SegmentInfo readSegment(JsonNode s, String path) {
        if (s == null || !s.isObject()) {
            throw new FieldException(path + ": expected an object");
        }
        long id = Fields.positiveLong(s, path, "id");
        int category = Fields.positiveInt(s, path, "category_id");
        int iscrowd = s.has("iscrowd") ? Fields.flag(s, path, "iscrowd", true) : 0;
        Integer isthing = s.has("isthing") ? Fields.flag(s, path, "isthing", true) : null;
        Long area = s.has("area") ? Fields.nonNegativeLong(s, path, "area") : null;
        BBox bbox = s.has("bbox") ? Fields.bbox(s, path) : null;
        return new SegmentInfo(id, category, iscrowd, isthing, area, bbox);
    }
}
