package studio.core.data.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import studio.core.data.geneval.GenevalPrompt;
import studio.core.data.geneval.GenevalPromptFile;
import studio.core.data.geneval.GenevalPromptLine;

class WorldPromptsTest {
    @Test
    void officialTaskCountsWorldClassesAndParseableLines() {
        List<GenevalPrompt> prompts = WorldPrompts.generate(0);
        Map<String, Long> perTag = new TreeMap<>(prompts.stream().collect(Collectors.groupingBy(GenevalPrompt::tag, Collectors.counting())));
        assertEquals(Map.of("single_object", 80L, "two_object", 99L, "counting", 80L, "colors", 94L, "position", 100L, "color_attr", 100L), perTag);
        Set<String> classes = Arrays.stream(ShapeClass.values()).map(ShapeClass::noun).collect(Collectors.toSet());
        for (GenevalPrompt p : prompts) {
            String line = GenevalPromptFile.toLine(p);
            GenevalPromptLine read = GenevalPromptFile.parseLine(line, 0, "world", GenevalPromptFile.Checks.dataset(classes));
            assertEquals(p, read.spec());
            assertEquals(line, read.json());
        }
        assertEquals(94, prompts.stream().filter(p -> p.tag().equals("colors")).distinct().count());
        assertTrue(prompts.stream().anyMatch(p -> p.prompt().equals("a photo of an orange circle")
                || p.prompt().startsWith("a photo of an orange")), "a/an before orange");
    }

    @Test
    void deterministicPerSeed() {
        assertEquals(WorldPrompts.generate(3), WorldPrompts.generate(3));
        assertNotEquals(WorldPrompts.generate(3), WorldPrompts.generate(4));
    }
}
