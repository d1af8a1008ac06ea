package studio.eval.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;

class PromptsTest {
    @TempDir
    Path dir;

    private static byte[] officialBytes() throws Exception {
        try (InputStream in = Prompts.class.getResourceAsStream(Prompts.OFFICIAL_RESOURCE)) {
            return in.readAllBytes();
        }
    }

    @Test
    void shippedCopyIsTheOfficialFile() throws Exception {
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(officialBytes());
        assertEquals("5c48e0813e812e3c373fa5c8ed07a8f0a483be30272b4427b0559c8048e67c13", HexFormat.of().formatHex(sha));
    }

    @Test
    void officialPromptsHaveTheDocumentedCountsPerTag() throws Exception {
        List<PromptMetadata> prompts = Prompts.official();
        assertEquals(553, prompts.size());
        Map<String, Long> perTag = prompts.stream().collect(Collectors.groupingBy(PromptMetadata::tag, TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("single_object", 80L, "two_object", 99L, "counting", 80L, "colors", 94L,
                "position", 100L, "color_attr", 100L), perTag);
        // EVAL.md §1.1: lines appear grouped by task, in this order.
        List<String> order = prompts.stream().map(PromptMetadata::tag).distinct().toList();
        assertEquals(List.of("single_object", "two_object", "counting", "colors", "position", "color_attr"), order);
        for (int i = 0; i < prompts.size(); i++) {
            assertEquals(i, prompts.get(i).index());
        }
    }

    @Test
    void countingPromptsSayExactlyNAndPositionPromptsReferToIncludeZero() throws Exception {
        List<PromptMetadata> prompts = Prompts.official();
        Map<Integer, Long> counts = new TreeMap<>();
        Map<String, Long> relations = new TreeMap<>();
        for (PromptMetadata p : prompts) {
            if (p.task() == GenevalTask.COUNTING) {
                int n = p.include().get(0).count();
                counts.merge(n, 1L, Long::sum);
                assertEquals(List.of(Clause.of(p.include().get(0).className(), n + 1)), p.exclude(), p.prompt());
            } else {
                assertEquals(List.of(), p.exclude(), p.prompt());
            }
            if (p.task() == GenevalTask.POSITION) {
                assertEquals(2, p.include().size());
                assertEquals(0, p.include().get(1).position().targetGroup());
                relations.merge(p.include().get(1).position().relation().text(), 1L, Long::sum);
            }
            if (p.task() == GenevalTask.COLOR_ATTR) {
                assertTrue(p.include().stream().allMatch(c -> c.color() != null), p.prompt());
            }
        }
        assertEquals(Map.of(2, 26L, 3, 28L, 4, 26L), counts);
        assertEquals(Map.of("below", 28L, "right of", 27L, "above", 26L, "left of", 19L), relations);
    }

    @Test
    void metadataIsRewrittenByteForByteAsPythonJsonDumps() throws Exception {
        List<String> lines = new String(officialBytes(), StandardCharsets.UTF_8).lines().toList();
        List<PromptMetadata> prompts = Prompts.official();
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(lines.get(i), prompts.get(i).json());
        }
        PromptMetadata first = prompts.get(0);
        assertEquals("a photo of a bench", first.prompt());
        assertEquals(List.of(Clause.of("bench", 1)), first.include());
    }

    @Test
    void readsAFileOnDiskLikeTheShippedCopy() throws Exception {
        Path file = dir.resolve("evaluation_metadata.jsonl");
        Files.write(file, officialBytes());
        assertEquals(Prompts.official(), Prompts.read(file));
    }

    private String errorFor(String... lines) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return assertThrows(BadInputException.class, () -> Prompts.read(file)).getMessage();
    }

    private static final String GOOD = "{\"tag\": \"single_object\", \"include\": [{\"class\": \"cat\", \"count\": 1}], \"prompt\": \"a photo of a cat\"}";

    @Test
    void badLinesAreNamedByFileAndLine() throws Exception {
        Function<String, String> at = line -> dir.resolve("bad.jsonl") + ":" + line + ": ";
        assertTrue(errorFor(GOOD, GOOD, "{\"tag\": \"counting\", ").startsWith(at.apply("3") + "malformed JSON"));
        assertEquals(at.apply("2") + "unknown tag \"shape\"; expected one of single_object, two_object, counting, colors, position, color_attr",
                errorFor(GOOD, GOOD.replace("single_object", "shape")));
        assertEquals(at.apply("1") + "missing field \"prompt\"",
                errorFor("{\"tag\": \"single_object\", \"include\": [{\"class\": \"cat\", \"count\": 1}]}"));
        assertEquals(at.apply("1") + "missing field \"include[0].count\"", errorFor(GOOD.replace(", \"count\": 1", "")));
        assertEquals(at.apply("1") + "\"include[0].count\" must be an integer >= 1, got 0", errorFor(GOOD.replace("\"count\": 1", "\"count\": 0")));
        assertEquals(at.apply("2") + "blank line; each line must be one JSON object", errorFor(GOOD, "", GOOD));
    }

    @Test
    void clausesThatWouldBeSilentlyIgnoredOrCrashAreRefused() throws Exception {
        String colour = GOOD.replace("\"count\": 1}", "\"count\": 1, \"colour\": \"red\"}");
        assertTrue(errorFor(colour).contains("unknown field \"include[0].colour\""), errorFor(colour));
        String teal = GOOD.replace("\"count\": 1}", "\"count\": 1, \"color\": \"teal\"}");
        assertTrue(errorFor(teal).contains("\"include[0].color\" is \"teal\""), errorFor(teal));
        String forward = "{\"tag\": \"position\", \"include\": [{\"class\": \"cat\", \"count\": 1, \"position\": [\"above\", 0]}], \"prompt\": \"p\"}";
        assertTrue(errorFor(forward).contains("must name an earlier include"), errorFor(forward));
        String relation = "{\"tag\": \"position\", \"include\": [{\"class\": \"cat\", \"count\": 1}, "
                + "{\"class\": \"dog\", \"count\": 1, \"position\": [\"on top of\", 0]}], \"prompt\": \"p\"}";
        assertTrue(errorFor(relation).contains("unknown relation \"on top of\""), errorFor(relation));
        String excludeColor = "{\"tag\": \"counting\", \"include\": [{\"class\": \"cat\", \"count\": 2}], "
                + "\"exclude\": [{\"class\": \"cat\", \"count\": 3, \"color\": \"red\"}], \"prompt\": \"p\"}";
        assertTrue(errorFor(excludeColor).contains("unknown field \"exclude[0].color\""), errorFor(excludeColor));
    }

    @Test
    void emptyAndMissingFilesAreBadInput() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        assertEquals(empty + ": no prompts in the file", assertThrows(BadInputException.class, () -> Prompts.read(empty)).getMessage());
        Path absent = dir.resolve("absent.jsonl");
        assertEquals(absent + ": no such file", assertThrows(BadInputException.class, () -> Prompts.read(absent)).getMessage());
    }
}
