package studio.eval.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.Problems;
import studio.core.data.geneval.GenevalClause;
import studio.core.data.geneval.GenevalPromptFile;
import studio.core.data.geneval.GenevalPromptLine;
import studio.core.data.geneval.GenevalTask;

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
        List<GenevalPromptLine> prompts = Prompts.official();
        assertEquals(553, prompts.size());
        Map<String, Long> perTag = prompts.stream().collect(Collectors.groupingBy(GenevalPromptLine::tag, TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("single_object", 80L, "two_object", 99L, "counting", 80L, "colors", 94L,
                "position", 100L, "color_attr", 100L), perTag);
        // EVAL.md §1.1: lines appear grouped by task, in this order.
        List<String> order = prompts.stream().map(GenevalPromptLine::tag).distinct().toList();
        assertEquals(List.of("single_object", "two_object", "counting", "colors", "position", "color_attr"), order);
        for (int i = 0; i < prompts.size(); i++) {
            assertEquals(i, prompts.get(i).index());
        }
    }

    @Test
    void countingPromptsSayExactlyNAndPositionPromptsReferToIncludeZero() throws Exception {
        List<GenevalPromptLine> prompts = Prompts.official();
        Map<Integer, Long> counts = new TreeMap<>();
        Map<String, Long> relations = new TreeMap<>();
        for (GenevalPromptLine p : prompts) {
            if (p.task() == GenevalTask.COUNTING) {
                int n = p.include().get(0).count();
                counts.merge(n, 1L, Long::sum);
                assertEquals(List.of(GenevalClause.of(p.include().get(0).className(), n + 1)), p.exclude(), p.prompt());
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
        List<GenevalPromptLine> prompts = Prompts.official();
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(lines.get(i), prompts.get(i).json());
            assertEquals(lines.get(i), GenevalPromptFile.toLine(prompts.get(i).spec()), "the writer spells official lines the same");
        }
        GenevalPromptLine first = prompts.get(0);
        assertEquals("a photo of a bench", first.prompt());
        assertEquals(List.of(GenevalClause.of("bench", 1)), first.include());
    }

    @Test
    void readsAFileOnDiskLikeTheShippedCopy() throws Exception {
        Path file = dir.resolve("evaluation_metadata.jsonl");
        Files.write(file, officialBytes());
        assertEquals(Prompts.official(), GenevalPromptFile.read(file));
    }

    /** The official file also has the clause shapes a dataset's own prompt file is checked for. */
    @Test
    void officialPromptsHaveEveryTasksDatasetShape() throws Exception {
        List<String> lines = new String(officialBytes(), StandardCharsets.UTF_8).lines().toList();
        Problems problems = Problems.collecting();
        GenevalPromptFile.parseLines(lines, "official", GenevalPromptFile.Checks.dataset(Set.of()), problems);
        assertEquals(List.of(), problems.found());
    }
}
