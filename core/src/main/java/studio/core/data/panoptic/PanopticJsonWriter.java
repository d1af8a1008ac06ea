package studio.core.data.panoptic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * Writes a {@link PanopticJson} with a fixed field order and one entry per line, so the same content
 * always gives the same bytes and {@code file:line} messages point at one image. Optional segment
 * fields ({@code isthing}, {@code area}, {@code bbox}) are written only when present.
 */
public final class PanopticJsonWriter {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PanopticJsonWriter() {}

    public static byte[] toBytes(PanopticJson json) {
        StringBuilder out = new StringBuilder("{\n");
        section(out, "images", json.images(), PanopticJsonWriter::image, false);
        section(out, "annotations", json.annotations(), PanopticJsonWriter::annotation, false);
        section(out, "categories", json.categories(), PanopticJsonWriter::category, true);
        return out.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static <T> void section(StringBuilder out, String name, List<T> entries, Function<T, ObjectNode> toNode, boolean last) {
        out.append('"').append(name).append("\": [");
        for (int i = 0; i < entries.size(); i++) {
            out.append(i == 0 ? "\n" : ",\n").append(toNode.apply(entries.get(i)));
        }
        out.append(entries.isEmpty() ? "]" : "\n]").append(last ? "\n" : ",\n");
    }

    private static ObjectNode image(ImageInfo i) {
        return MAPPER.createObjectNode().put("id", i.id()).put("file_name", i.fileName())
                .put("width", i.width()).put("height", i.height());
    }

    private static ObjectNode annotation(PanopticAnnotation a) {
        ObjectNode node = MAPPER.createObjectNode().put("image_id", a.imageId()).put("file_name", a.fileName());
        ArrayNode segments = node.putArray("segments_info");
        for (SegmentInfo s : a.segments()) {
            ObjectNode seg = segments.addObject().put("id", s.id()).put("category_id", s.categoryId()).put("iscrowd", s.iscrowd());
            if (s.isthing() != null) {
                seg.put("isthing", s.isthing());
            }
            if (s.area() != null) {
                seg.put("area", s.area());
            }
            if (s.bbox() != null) {
                ArrayNode box = seg.putArray("bbox");
                s.bbox().asList().forEach(box::add);
            }
        }
        return node;
    }

    private static ObjectNode category(Category c) {
        ObjectNode node = MAPPER.createObjectNode().put("id", c.id()).put("name", c.name())
                .put("isthing", c.isthing()).put("supercategory", c.supercategory());
        ArrayNode color = node.putArray("color");
        c.color().forEach(color::add);
        return node;
    }
}
