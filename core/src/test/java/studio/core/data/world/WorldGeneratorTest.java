package studio.core.data.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.data.DataPng;
import studio.core.data.caption.GroundedCaption;
import studio.core.data.caption.TagParser;
import studio.core.data.panoptic.BBox;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.SegmentInfo;
import studio.core.data.pancap.DatasetValidator;

class WorldGeneratorTest {
    @TempDir
    Path dir;

    private static Map<String, byte[]> files(Path root) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void sameSeedGivesByteIdenticalFilesAndDifferentSeedsDiffer() throws Exception {
        WorldGenerator.generate(dir.resolve("a"), 7, 20, 64, 2);
        WorldGenerator.generate(dir.resolve("b"), 7, 20, 64, 1);
        WorldGenerator.generate(dir.resolve("c"), 8, 20, 64, 2);
        Map<String, byte[]> a = files(dir.resolve("a"));
        Map<String, byte[]> b = files(dir.resolve("b"));
        Map<String, byte[]> c = files(dir.resolve("c"));
        assertEquals(20 * 3 + 4, a.size());
        assertEquals(a.keySet(), b.keySet());
        a.forEach((name, bytes) -> assertArrayEquals(bytes, b.get(name), name));
        long differing = a.keySet().stream().filter(n -> !java.util.Arrays.equals(a.get(n), c.get(n))).count();
        assertTrue(differing >= 60, "only " + differing + " files differ between seeds 7 and 8");
        // An image depends on (seed, index, size) only, not on how many were generated.
        assertArrayEquals(a.get("images/000000000005.png"), WorldGenerator.sample(7, 4, 64).imagePng());
    }

    @Test
    void generatedWorldHasNoViolations() throws Exception {
        WorldGenerator.generate(dir.resolve("w"), 3, 20, 64, 2);
        assertEquals(List.of(), DatasetValidator.validate(dir.resolve("w")));
        assertTrue(Files.exists(dir.resolve("w/short_captions.jsonl")));
        assertEquals(553, Files.readAllLines(dir.resolve("w/geneval/evaluation_metadata.jsonl")).size());
    }

    @Test
    void maskAreaAndBoxMatchThePngAndTagsNameRealSegments() {
        for (int i = 0; i < 120; i++) {
            WorldSample s = WorldGenerator.sample(11, i, 32 + i % 3 * 48);
            IdMask mask = IdMask.fromRgb(DataPng.decode(s.maskPng(), "mask"));
            Map<Long, SegmentInfo> byId = new TreeMap<>();
            s.annotation().segments().forEach(seg -> byId.put(seg.id(), seg));
            assertEquals(byId.size(), mask.geometry().size());
            mask.geometry().forEach(g -> {
                assertEquals(g.area(), byId.get(g.id()).area());
                assertEquals(g.bbox(), byId.get(g.id()).bbox());
            });
            GroundedCaption caption = TagParser.parse(s.caption(), "sample " + i);
            assertTrue(byId.keySet().containsAll(caption.segmentIds()), s.caption());
            byId.values().stream().filter(seg -> seg.isthing() == 1)
                    .forEach(seg -> assertTrue(caption.segmentIds().contains(seg.id()), "thing " + seg.id() + " unmentioned: " + s.caption()));
            int words = caption.wordCount();
            assertTrue(words >= CaptionComposer.MIN_WORDS && words <= CaptionComposer.MAX_WORDS, words + " words: " + s.caption());
        }
    }

    private static final Pattern RELATION = Pattern.compile(
            "<(\\d+): [^>]*> (is to the left of|lies left of|is to the right of|lies right of|is above|sits higher up than|is below|sits lower down than) <(\\d+): [^>]*>");

    @Test
    void spatialRelationsAgreeWithGenevalsRuleOnTheMaskBoxes() {
        int checked = 0;
        for (int i = 0; i < 150; i++) {
            WorldSample s = WorldGenerator.sample(5, i, 64);
            Map<Long, BBox> boxes = new TreeMap<>();
            s.annotation().segments().forEach(seg -> boxes.put(seg.id(), seg.bbox()));
            Matcher m = RELATION.matcher(s.caption());
            while (m.find()) {
                String expected = switch (m.group(2)) {
                    case "is to the left of", "lies left of" -> "left of";
                    case "is to the right of", "lies right of" -> "right of";
                    case "is above", "sits higher up than" -> "above";
                    default -> "below";
                };
                BBox a = boxes.get(Long.parseLong(m.group(1)) + 1);
                BBox b = boxes.get(Long.parseLong(m.group(3)) + 1);
                assertEquals(Optional.of(expected), Relations.geneval(a, b), m.group());
                checked++;
            }
        }
        assertTrue(checked > 50, "only " + checked + " relations seen");
    }

    @Test
    void counterGroupsAreTaggedWithEveryMember() {
        Pattern group = Pattern.compile("<(\\d+(?:,\\d+)+): (two|three|four|five|six) ");
        int groups = 0;
        for (int i = 0; i < 100; i++) {
            Matcher m = group.matcher(WorldGenerator.sample(2, i, 64).caption());
            while (m.find()) {
                int members = m.group(1).split(",").length;
                assertEquals(List.of("two", "three", "four", "five", "six").indexOf(m.group(2)) + 2, members, m.group());
                groups++;
            }
        }
        assertTrue(groups > 5, "only " + groups + " counted groups in 100 images");
    }

    @Test
    void sameSceneRendersAtAnySize() {
        for (int size : new int[] {32, 97, 512}) {
            WorldSample s = WorldGenerator.sample(1, 3, size);
            long total = s.annotation().segments().stream().mapToLong(SegmentInfo::area).sum();
            assertEquals((long) size * size, total, "size " + size);
            assertEquals(size, DataPng.decode(s.imagePng(), "image").width());
        }
    }

    @Test
    void wordingVaries() {
        List<String> openings = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String caption = WorldGenerator.sample(0, i, 32).caption();
            openings.add(caption.substring(0, caption.indexOf(' ', caption.indexOf(' ') + 1)));
        }
        assertTrue(openings.stream().distinct().count() >= 3, openings.toString());
    }

    @Test
    void refusesBadSizeCountAndNonEmptyDirectory() throws Exception {
        assertThrows(BadInputException.class, () -> WorldGenerator.generate(dir.resolve("x"), 0, 2, 31, 1));
        assertThrows(BadInputException.class, () -> WorldGenerator.generate(dir.resolve("x"), 0, 2, 513, 1));
        assertThrows(BadInputException.class, () -> WorldGenerator.generate(dir.resolve("x"), 0, 0, 64, 1));
        Files.writeString(dir.resolve("keep.txt"), "user file");
        BadInputException e = assertThrows(BadInputException.class, () -> WorldGenerator.generate(dir, 0, 2, 64, 1));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("images")));
    }
}
