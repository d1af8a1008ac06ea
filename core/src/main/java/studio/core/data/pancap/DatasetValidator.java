package studio.core.data.pancap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import studio.core.BadInputException;
import studio.core.data.Problems;
import studio.core.data.Violation;
import studio.core.data.caption.GroundedCaption;
import studio.core.data.caption.Phrase;
import studio.core.data.caption.TagParser;
import studio.core.data.caption.TagSyntaxException;
import studio.core.data.geneval.GenevalPromptFile;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.MaskGeometry;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.data.panoptic.SegmentInfo;

/**
 * Checks every invariant of WORLD.md on a PanCap-format dataset and lists every violation with file
 * and line; it never stops at the first one (issue 3, "Bad input"):
 * <ul>
 *   <li>the JSON parses; categories, images and annotations are well-formed; category ids are known;</li>
 *   <li>every image and mask file exists and decodes, masks have the image's size;</li>
 *   <li>every PNG id &gt; 0 has one {@code segments_info} entry and vice versa; {@code area} equals
 *       its pixel count; {@code bbox} (when present) equals the mask's box;</li>
 *   <li>every caption parses, every tag names an existing segment ({@link studio.core.data.caption.TagConvention}),
 *       every thing segment is mentioned at least once, and every caption belongs to an image;</li>
 *   <li>{@code short_captions.jsonl}, when present: one JSON object per line with an {@code image_id} of
 *       the dataset and a non-empty {@code caption};</li>
 *   <li>the GenEval-style prompts, when present, parse and use only the dataset's thing classes and GenEval's colours;</li>
 *   <li>for a world ({@code world.json}), the files are byte-identical to what the generator makes ({@link WorldCheck}).</li>
 * </ul>
 */
public final class DatasetValidator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PanCapLayout layout;
    private final Problems problems = Problems.collecting();
    private PanCapDataset dataset;
    private Map<Integer, Category> categories;

    private DatasetValidator(PanCapLayout layout) {
        this.layout = layout;
    }

    public static List<Violation> validate(Path root) throws IOException {
        return validate(PanCapLayout.standard(root));
    }

    public static List<Violation> validate(PanCapLayout layout) throws IOException {
        DatasetValidator v = new DatasetValidator(layout);
        v.run();
        return v.problems.found();
    }

    private void run() throws IOException {
        dataset = PanCapDataset.open(layout, problems);
        if (dataset != null) {
            categories = dataset.categories();
            checkCategories();
            Set<Long> annotated = new HashSet<>();
            for (PanopticAnnotation a : dataset.json().annotations()) {
                if (!annotated.add(a.imageId())) {
                    report(layout.panopticJson(), a.line(), "image " + a.imageId() + " has a second annotation");
                    continue;
                }
                checkAnnotation(a);
            }
            checkOrphanCaptions(annotated);
            checkShortCaptions(annotated);
        }
        Path prompts = layout.root().resolve("geneval").resolve("evaluation_metadata.jsonl");
        if (Files.exists(prompts)) {
            Set<String> classes = new TreeSet<>();
            if (categories != null) {
                categories.values().stream().filter(Category::thing).forEach(c -> classes.add(c.name()));
            }
            GenevalPromptFile.read(prompts, layout.show(prompts), GenevalPromptFile.Checks.dataset(classes), problems);
        }
        if (Files.exists(layout.root().resolve("world.json")) && dataset != null) {
            WorldCheck.check(layout, problems);
        }
    }

    private void checkCategories() {
        Set<Integer> seen = new HashSet<>();
        dataset.json().categories().forEach(c -> {
            if (!seen.add(c.id())) {
                report(layout.panopticJson(), 0, "category id " + c.id() + " is listed twice");
            }
        });
    }

    private void checkAnnotation(PanopticAnnotation a) {
        PanCapSample sample;
        try {
            sample = dataset.sample(a);
        } catch (BadInputException e) {
            report(layout.panopticJson(), a.line(), e.getMessage());
            return;
        }
        if (sample.info() == null) {
            report(layout.panopticJson(), a.line(), "image_id " + a.imageId() + " has no entry in 'images'");
        }
        if (!Files.isRegularFile(sample.image())) {
            report(layout.panopticJson(), a.line(), "image file " + layout.show(sample.image()) + " is missing");
        }
        Map<Long, SegmentInfo> segments = checkSegments(a);
        checkMask(sample, segments);
        checkCaption(sample, segments);
    }

    private Map<Long, SegmentInfo> checkSegments(PanopticAnnotation a) {
        Map<Long, SegmentInfo> byId = new TreeMap<>();
        for (SegmentInfo s : a.segments()) {
            if (byId.putIfAbsent(s.id(), s) != null) {
                report(layout.panopticJson(), a.line(), "image " + a.imageId() + ": segment id " + s.id() + " is listed twice");
            }
            Category c = categories.get(s.categoryId());
            if (c == null) {
                report(layout.panopticJson(), a.line(), "image " + a.imageId() + ": segment " + s.id() + " has unknown category_id " + s.categoryId());
            } else if (s.isthing() != null && s.isthing() != c.isthing()) {
                report(layout.panopticJson(), a.line(), "image " + a.imageId() + ": segment " + s.id() + " isthing=" + s.isthing()
                        + " but category " + c.name() + " has isthing=" + c.isthing());
            }
        }
        return byId;
    }

    private void checkMask(PanCapSample sample, Map<Long, SegmentInfo> segments) {
        PanopticAnnotation a = sample.annotation();
        String maskName = layout.show(sample.mask());
        IdMask mask;
        try {
            mask = sample.loadMask();
        } catch (BadInputException e) {
            report(layout.panopticJson(), a.line(), "mask of image " + a.imageId() + ": " + e.getMessage());
            return;
        }
        if (sample.info() != null && (mask.width() != sample.info().width() || mask.height() != sample.info().height())) {
            report(sample.mask(), 0, "mask is " + mask.width() + "x" + mask.height() + " but image " + a.imageId() + " is "
                    + sample.info().width() + "x" + sample.info().height());
        }
        Set<Long> inPng = new TreeSet<>();
        for (MaskGeometry g : mask.geometry()) {
            inPng.add(g.id());
            SegmentInfo s = segments.get(g.id());
            if (s == null) {
                report(sample.mask(), 0, "id " + g.id() + " (" + g.area() + " pixels) has no segments_info entry in image " + a.imageId());
                continue;
            }
            if (s.area() != null && s.area() != g.area()) {
                report(layout.panopticJson(), a.line(), "image " + a.imageId() + ": segment " + s.id() + " area " + s.area()
                        + " but " + maskName + " has " + g.area() + " pixels");
            }
            if (s.bbox() != null && !s.bbox().equals(g.bbox())) {
                report(layout.panopticJson(), a.line(), "image " + a.imageId() + ": segment " + s.id() + " bbox " + s.bbox().asList()
                        + " but the mask's box is " + g.bbox().asList());
            }
        }
        segments.keySet().stream().filter(id -> !inPng.contains(id)).forEach(id -> report(layout.panopticJson(), a.line(),
                "image " + a.imageId() + ": segment " + id + " has no pixels in " + maskName));
    }

    private void checkCaption(PanCapSample sample, Map<Long, SegmentInfo> segments) {
        long id = sample.imageId();
        String where = dataset.captions().describe(id);
        String raw;
        try {
            raw = dataset.captions().caption(id).orElse(null);
        } catch (BadInputException e) {
            problems.report(where, 0, e.getMessage());
            return;
        }
        if (raw == null) {
            problems.report(where, 0, "caption of image " + id + " is missing");
            return;
        }
        GroundedCaption caption;
        try {
            caption = TagParser.parse(raw, where);
        } catch (TagSyntaxException e) {
            problems.report(new Violation(where, e.line(), e.getMessage().substring(e.where().length() + 2)));
            return;
        }
        checkTags(raw, caption, segments, where, id);
    }

    private void checkTags(String raw, GroundedCaption caption, Map<Long, SegmentInfo> segments, String where, long imageId) {
        List<Integer> lines = tagLines(raw);
        Set<Long> mentioned = new TreeSet<>();
        for (int i = 0; i < caption.phrases().size(); i++) {
            Phrase p = caption.phrases().get(i);
            for (int k = 0; k < p.tagNumbers().size(); k++) {
                long segment = p.segmentIds().get(k);
                mentioned.add(segment);
                if (!segments.containsKey(segment)) {
                    problems.report(where, lines.get(i), "tag " + p.tagNumbers().get(k) + " in '<" + p.tagNumbers() + ": " + p.text()
                            + ">' names segment " + segment + ", which image " + imageId + " does not have (segments "
                            + segments.keySet() + "; segment id = tag + 1)");
                }
            }
        }
        for (SegmentInfo s : segments.values()) {
            Category c = categories.get(s.categoryId());
            if (c != null && c.thing() && !mentioned.contains(s.id())) {
                problems.report(where, 0, "thing segment " + s.id() + " (" + c.name() + ") of image " + imageId + " is not mentioned by any tag");
            }
        }
    }

    /** The line of each tag, in order: in a caption that parsed, every '<' opens a tag. */
    static List<Integer> tagLines(String raw) {
        List<Integer> lines = new ArrayList<>();
        int line = 1;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\n') {
                line++;
            } else if (c == '<') {
                lines.add(line);
            }
        }
        return lines;
    }

    private void checkOrphanCaptions(Set<Long> annotated) {
        for (long id : dataset.captions().imageIds()) {
            if (!annotated.contains(id)) {
                problems.report(dataset.captions().describe(id), 0, "caption has no image " + id + " in " + layout.show(layout.panopticJson()));
            }
        }
    }

    private void checkShortCaptions(Set<Long> annotated) throws IOException {
        Path file = layout.root().resolve("short_captions.jsonl");
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode row;
            try {
                row = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                report(file, i + 1, "not a JSON object: " + e.getOriginalMessage());
                continue;
            }
            JsonNode id = row.get("image_id");
            JsonNode caption = row.get("caption");
            if (id == null || !id.canConvertToLong() || !annotated.contains(id.asLong())) {
                report(file, i + 1, "'image_id' must name an image of the dataset, got " + id);
            }
            if (caption == null || !caption.isTextual() || caption.asText().isBlank()) {
                report(file, i + 1, "'caption' must be a non-empty string");
            }
        }
    }

    private void report(Path file, int line, String message) {
        problems.report(layout.show(file), line, message);
    }
}
