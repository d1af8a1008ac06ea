package studio.captioner.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.captioner.GroundedResult;
import studio.captioner.GroundedResult.Segment;
import studio.captioner.OracleCaptioner;
import studio.core.data.DataPng;
import studio.core.data.world.WorldGenerator;
import studio.core.image.RgbImage;

/** The check against the ground-truth captioner on world images: true prompts pass, planted mismatches are reported exactly. */
class OracleCheckTest {
    private static final int COUNT = 40;
    private static final String[] POSITION_WORDS = {"at the top left", "at the top", "at the top right", "on the left", "in the centre",
        "on the right", "at the bottom left", "at the bottom", "at the bottom right"};

    @TempDir
    static Path dir;
    static OracleCaptioner oracle;
    static PromptCheck check;

    @BeforeAll
    static void world() throws Exception {
        WorldGenerator.generate(dir.resolve("w"), 11, COUNT, 64, 2);
        oracle = OracleCaptioner.open(dir.resolve("w"));
        check = new PromptCheck(new PromptParser(WorldGenerator.categories()));
    }

    static RgbImage image(int id) {
        return DataPng.read(dir.resolve("w/images").resolve(String.format("%012d.png", id)));
    }

    @Test
    void everyWorldCaptionAndShortCaptionPassesAgainstItsOwnImage() throws Exception {
        List<String> shorts = Files.readAllLines(dir.resolve("w/short_captions.jsonl"));
        for (int id = 1; id <= COUNT; id++) {
            GroundedResult r = oracle.caption(image(id));
            CheckReport own = check.check(r.caption(), r, oracle.name());
            assertTrue(own.allPresent(), "image " + id + ": " + problems(own) + "\n" + r.caption());
            assertEquals(1.0, own.attributeF1(), 1e-12, "image " + id);
            String shortCaption = new com.fasterxml.jackson.databind.ObjectMapper().readTree(shorts.get(id - 1)).get("caption").asText();
            CheckReport brief = check.check(shortCaption, r, oracle.name());
            assertTrue(brief.allPresent(), "image " + id + " short: " + problems(brief) + " / " + shortCaption);
        }
    }

    private static String problems(CheckReport r) {
        return r.entities().stream().filter(e -> e.status() != CheckReport.Status.PRESENT)
                .map(e -> e.entity().text() + " -> " + e.status() + " " + e.problems()).collect(Collectors.joining("; "))
                + r.relations().stream().filter(v -> v.verdict().equals("violated")).map(v -> " violated: " + v.relation().text())
                        .collect(Collectors.joining());
    }

    /** Thing groups of an image: (class, colour) → segments, from the oracle's own grounded caption. */
    private static Map<String, List<Segment>> groups(GroundedResult r) {
        Map<Long, String> colours = PromptCheck.segmentColours(r);
        return r.segments().stream().filter(Segment::isThing)
                .collect(Collectors.groupingBy(s -> colours.get(s.id()) + " " + s.className(), java.util.TreeMap::new, Collectors.toList()));
    }

    @Test
    void plantedMismatchesAreReportedExactly() {
        int checkedImages = 0;
        for (int id = 1; id <= COUNT; id++) {
            GroundedResult r = oracle.caption(image(id));
            Map<String, List<Segment>> groups = groups(r);
            List<String> singles = groups.entrySet().stream().filter(e -> e.getValue().size() == 1).map(Map.Entry::getKey).toList();
            if (singles.size() < 2) {
                continue;
            }
            checkedImages++;
            String[] first = singles.get(0).split(" ");
            String[] second = singles.get(1).split(" ");
            Segment secondSeg = groups.get(singles.get(1)).get(0);
            String wrongColour = PromptParser.COLOURS.stream().filter(c -> !groups.containsKey(c + " " + first[1])).findFirst().orElseThrow();
            String absent = absentClass(r);
            String wrongPlace = wrongPosition(secondSeg, r.mask().width());
            String prompt = String.format("a photo of a %s %s, two %s %s and a green %s", wrongColour, first[1], second[0],
                    PromptParser.plural(second[1]), absent);
            CheckReport report = check.check(prompt, r, oracle.name());
            List<String> got = new ArrayList<>();
            report.entities().forEach(e -> got.add(e.entity().className() + ":" + e.status().words()));
            assertEquals(List.of(first[1] + ":wrong colour", second[1] + ":wrong count", absent + ":missing"), got,
                    "image " + id + " prompt '" + prompt + "' " + report.asMap());
            CheckReport positioned = check.check(String.format("a %s %s %s", second[0], second[1], wrongPlace), r, oracle.name());
            assertEquals(CheckReport.Status.WRONG_POSITION, positioned.entities().get(0).status(), positioned.asMap().toString());
            String rightPlace = POSITION_WORDS[3 * Geometry.third(secondSeg.box().centreY(), 64) + Geometry.third(secondSeg.box().centreX(), 64)];
            CheckReport right = check.check(String.format("a %s %s %s and a %s %s", second[0], second[1], rightPlace, first[0], first[1]), r,
                    oracle.name());
            assertTrue(right.allPresent(), right.asMap().toString());
        }
        assertTrue(checkedImages >= 5, "too few images with two single things: " + checkedImages);
    }

    private static String absentClass(GroundedResult r) {
        for (var c : WorldGenerator.categories()) {
            if (c.thing() && r.segments().stream().noneMatch(s -> s.className().equals(c.name()))) {
                return c.name();
            }
        }
        throw new IllegalStateException("every class is present");
    }

    /** A position phrase naming the opposite column (or row, for the centre column) of the segment. */
    private static String wrongPosition(Segment s, int canvas) {
        int col = Geometry.third(s.box().centreX(), canvas);
        int row = Geometry.third(s.box().centreY(), canvas);
        if (col != 1) {
            return col == 0 ? "on the right" : "on the left";
        }
        return row == 2 ? "at the top" : "at the bottom";
    }
}
