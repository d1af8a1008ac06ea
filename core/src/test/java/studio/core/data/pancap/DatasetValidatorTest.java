package studio.core.data.pancap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.DataPng;
import studio.core.data.Violation;
import studio.core.data.panoptic.IdMask;
import studio.core.data.world.WorldGenerator;

/** Each bad-input case of issue 3 is found, named by file and line, and validation goes on past it. */
class DatasetValidatorTest {
    @TempDir
    Path dir;
    Path world;

    @BeforeEach
    void smallWorld() throws Exception {
        world = dir.resolve("w");
        WorldGenerator.generate(world, 4, 6, 32, 2);
        // Without world.json the byte-identity check is off, so each test sees only its own violation.
        Files.delete(world.resolve("world.json"));
    }

    private List<String> violations() throws Exception {
        return DatasetValidator.validate(world).stream().map(Violation::toString).collect(Collectors.toList());
    }

    private static boolean any(List<String> found, String... parts) {
        return found.stream().anyMatch(v -> java.util.Arrays.stream(parts).allMatch(v::contains));
    }

    /** Replaces text in the JSON line of image {@code id} (one annotation per line). */
    private int editAnnotation(long id, String from, String to) throws Exception {
        Path json = world.resolve("panoptic.json");
        List<String> lines = Files.readAllLines(json);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("{\"image_id\":" + id + ",")) {
                assertTrue(lines.get(i).contains(from), lines.get(i));
                lines.set(i, lines.get(i).replaceFirst(java.util.regex.Pattern.quote(from), to));
                Files.write(json, lines);
                return i + 1;
            }
        }
        throw new AssertionError("no annotation line for " + id);
    }

    @Test
    void cleanWorldHasNone() throws Exception {
        assertEquals(List.of(), violations());
    }

    @Test
    void malformedJsonNamesFileAndLine() throws Exception {
        Path json = world.resolve("panoptic.json");
        String text = Files.readString(json);
        Files.writeString(json, text.replaceFirst("\"file_name\":\"000000000002.png\"", "\"file_name\" \"x\""));
        List<String> found = violations();
        assertTrue(any(found, "panoptic.json:4: malformed JSON"), found.toString());
    }

    @Test
    void malformedShortCaptionsNameTheLine() throws Exception {
        Path shortCaptions = world.resolve("short_captions.jsonl");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(shortCaptions));
        lines.set(1, "{\"image_id\": 2, \"caption");
        lines.set(2, "{\"image_id\": 99, \"caption\": \"\"}");
        Files.write(shortCaptions, lines);
        List<String> found = violations();
        assertTrue(any(found, "short_captions.jsonl:2: not a JSON object"), found.toString());
        assertTrue(any(found, "short_captions.jsonl:3: 'image_id' must name an image"), found.toString());
        assertTrue(any(found, "short_captions.jsonl:3: 'caption' must be a non-empty string"), found.toString());
        assertEquals(3, found.size(), found.toString());
    }

    @Test
    void missingImageAndMask() throws Exception {
        Files.delete(world.resolve("images/000000000002.png"));
        Files.delete(world.resolve("panoptic/000000000003.png"));
        List<String> found = violations();
        assertTrue(any(found, "panoptic.json:", "image file images/000000000002.png is missing"), found.toString());
        assertTrue(any(found, "panoptic.json:", "mask of image 3", "file not found"), found.toString());
    }

    @Test
    void unknownCategoryId() throws Exception {
        int line = editAnnotation(4, "\"category_id\":", "\"category_id\":999,\"x\":");
        List<String> found = violations();
        assertTrue(any(found, "panoptic.json:" + line + ":", "unknown category_id 999"), found.toString());
    }

    @Test
    void pngIdMissingFromSegmentsInfoAndSegmentWithoutPixels() throws Exception {
        Path mask = world.resolve("panoptic/000000000001.png");
        IdMask m = IdMask.fromRgb(DataPng.read(mask));
        int[] ids = m.ids().clone();
        ids[0] = 70_000;
        DataPng.write(mask, new IdMask(m.width(), m.height(), ids).toRgb());
        List<String> found = violations();
        assertTrue(any(found, "panoptic/000000000001.png: id 70000 (1 pixels) has no segments_info entry"), found.toString());
        assertTrue(any(found, "segment 1 area"), found.toString());
    }

    @Test
    void areaAndBboxMustMatchTheMask() throws Exception {
        int line = editAnnotation(2, "\"area\":", "\"area\":1");
        editAnnotation(5, "\"bbox\":[0,", "\"bbox\":[1,");
        List<String> found = violations();
        assertTrue(any(found, "panoptic.json:" + line + ":", "segment 1 area 1"), found.toString());
        assertTrue(any(found, "image 5: segment 1 bbox [1,"), found.toString());
    }

    @Test
    void malformedTagNamesCaptionLineAndTagText() throws Exception {
        Files.writeString(world.resolve("captions/000000000002.txt"), "The sky.\nA <x: broken> tag.");
        List<String> found = violations();
        assertTrue(any(found, "captions/000000000002.txt:2: column 3", "'<x'"), found.toString());
    }

    @Test
    void danglingTagAndUnmentionedThing() throws Exception {
        Files.writeString(world.resolve("captions/000000000003.txt"), "Only <0: the sky> and\n<41: a ghost>.");
        List<String> found = violations();
        assertTrue(any(found, "captions/000000000003.txt:2: tag 41", "names segment 42"), found.toString());
        assertTrue(any(found, "captions/000000000003.txt: thing segment", "is not mentioned by any tag"), found.toString());
    }

    @Test
    void orphanAndMissingCaptions() throws Exception {
        Files.writeString(world.resolve("captions/000000000099.txt"), "<0: nothing>");
        Files.delete(world.resolve("captions/000000000006.txt"));
        List<String> found = violations();
        assertTrue(any(found, "captions/000000000099.txt: caption has no image 99"), found.toString());
        assertTrue(any(found, "captions/000000000006.txt: caption of image 6 is missing"), found.toString());
    }

    @Test
    void genevalPromptsMustUseWorldClassesAndColours() throws Exception {
        Path prompts = world.resolve("geneval/evaluation_metadata.jsonl");
        List<String> lines = Files.readAllLines(prompts);
        lines.set(1, "{\"tag\": \"single_object\", \"include\": [{\"class\": \"dog\", \"count\": 1}], \"prompt\": \"a photo of a dog\"}");
        lines.set(2, "{\"tag\": \"colors\", \"include\": [{\"class\": \"star\", \"count\": 1, \"color\": \"teal\"}], \"prompt\": \"x\"}");
        Files.write(prompts, lines);
        List<String> found = violations();
        assertTrue(any(found, "evaluation_metadata.jsonl:2: \"include[0].class\" is \"dog\", not a class of the dataset"), found.toString());
        assertTrue(any(found, "evaluation_metadata.jsonl:3: \"include[0].color\" is \"teal\""), found.toString());
    }

    @Test
    void continuesPastEveryProblem() throws Exception {
        Files.delete(world.resolve("images/000000000001.png"));
        Files.writeString(world.resolve("captions/000000000002.txt"), "<0: open");
        editAnnotation(3, "\"category_id\":", "\"category_id\":77,\"y\":");
        Files.writeString(world.resolve("captions/000000000004.txt"), "<50: x> and > y");
        List<String> found = violations();
        assertTrue(found.size() >= 4, found.toString());
        assertTrue(any(found, "images/000000000001.png is missing"));
        assertTrue(any(found, "000000000002.txt:1", "unclosed tag"));
        assertTrue(any(found, "unknown category_id 77"));
        assertTrue(any(found, "000000000004.txt:1", "'>' outside a tag"));
    }

    @Test
    void worldFilesMustMatchTheGenerator() throws Exception {
        Path fresh = dir.resolve("fresh");
        WorldGenerator.generate(fresh, 4, 3, 32, 1);
        assertEquals(List.of(), DatasetValidator.validate(fresh));
        Path caption = fresh.resolve("captions/000000000002.txt");
        Files.writeString(caption, Files.readString(caption, StandardCharsets.UTF_8) + " ");
        List<Violation> found = DatasetValidator.validate(fresh);
        assertEquals(List.of(new Violation("captions/000000000002.txt", 0,
                "differs from what the generator makes for the seed, count and size in world.json")), found);
    }
}
