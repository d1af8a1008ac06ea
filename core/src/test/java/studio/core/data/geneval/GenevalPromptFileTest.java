package studio.core.data.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import studio.core.BadInputException;
import studio.core.data.Problems;
import studio.core.data.Violation;

class GenevalPromptFileTest {
    private static final GenevalPromptFile.Checks ANY_CLASS = GenevalPromptFile.Checks.dataset(Set.of());

    @TempDir
    Path dir;

    /** Verbatim lines of djghosh13/geneval prompts/evaluation_metadata.jsonl (EVAL.md §1.1), one per task. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"tag\": \"single_object\", \"include\": [{\"class\": \"bench\", \"count\": 1}], \"prompt\": \"a photo of a bench\"}",
        "{\"tag\": \"two_object\", \"include\": [{\"class\": \"bench\", \"count\": 1}, {\"class\": \"sports ball\", \"count\": 1}], \"prompt\": \"a photo of a bench and a sports ball\"}",
        "{\"tag\": \"counting\", \"include\": [{\"class\": \"clock\", \"count\": 2}], \"exclude\": [{\"class\": \"clock\", \"count\": 3}], \"prompt\": \"a photo of two clocks\"}",
        "{\"tag\": \"colors\", \"include\": [{\"class\": \"fire hydrant\", \"count\": 1, \"color\": \"blue\"}], \"prompt\": \"a photo of a blue fire hydrant\"}",
        "{\"tag\": \"position\", \"include\": [{\"class\": \"teddy bear\", \"count\": 1}, {\"class\": \"dog\", \"count\": 1, \"position\": [\"right of\", 0]}], \"prompt\": \"a photo of a dog right of a teddy bear\"}",
        "{\"tag\": \"color_attr\", \"include\": [{\"class\": \"cup\", \"count\": 1, \"color\": \"green\"}, {\"class\": \"pizza\", \"count\": 1, \"color\": \"red\"}], \"prompt\": \"a photo of a green cup and a red pizza\"}",
    })
    void officialLinesParseAndAreWrittenBackIdentically(String line) {
        GenevalPromptLine p = GenevalPromptFile.parseLine(line, 0, "t", ANY_CLASS);
        assertEquals(line, GenevalPromptFile.toLine(p.spec()));
        assertEquals(line, p.json());
        assertEquals(p, GenevalPromptFile.parseLine(line, 0, "t"));
    }

    /** Lines the schema allows but a dataset's file must not have (task shapes), and lines no reader takes. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"tag\": \"counting\", \"include\": [{\"class\": \"clock\", \"count\": 2}], \"exclude\": [{\"class\": \"clock\", \"count\": 4}], \"prompt\": \"x\"}",
        "{\"tag\": \"colors\", \"include\": [{\"class\": \"cup\", \"count\": 1}], \"prompt\": \"x\"}",
        "{\"tag\": \"position\", \"include\": [{\"class\": \"cup\", \"count\": 1}, {\"class\": \"dog\", \"count\": 1, \"position\": [\"near\", 0]}], \"prompt\": \"x\"}",
        "{\"tag\": \"single_object\", \"include\": [{\"class\": \"cup\", \"count\": 1}], \"exclude\": [{\"class\": \"cup\", \"count\": 2}], \"prompt\": \"x\"}",
        "{\"tag\": \"drawing\", \"include\": [{\"class\": \"cup\", \"count\": 1}], \"prompt\": \"x\"}",
        "{\"tag\": \"single_object\", \"include\": [], \"prompt\": \"x\"}",
        "{\"tag\": \"single_object\", \"include\": [{\"class\": \"cup\", \"count\": \"1\"}], \"prompt\": \"x\"}",
        "{\"tag\": \"single_object\", \"include\": [{\"class\": \"cup\", \"count\": 1}], \"exclude\": [], \"prompt\": \"x\"}",
        "{\"tag\": \"two_object\", \"include\": [{\"class\": \"cup\", \"count\": 101}, {\"class\": \"dog\", \"count\": 1}], \"prompt\": \"x\"}",
        "[1, 2]",
        "{\"tag\": ",
    })
    void schemaViolationsAreRejected(String line) {
        BadInputException e = assertThrows(BadInputException.class, () -> GenevalPromptFile.parseLine(line, 0, "t", ANY_CLASS));
        assertTrue(e.getMessage().startsWith("t: ") && e.getMessage().length() > 3, e.getMessage());
    }

    @Test
    void theSchemaAloneAcceptsAnyClauseCombinationTheEvaluatorScores() {
        String twoClocks = "{\"tag\": \"two_object\", \"include\": [{\"class\": \"clock\", \"count\": 2}], \"prompt\": \"p\"}";
        assertEquals(List.of(GenevalClause.of("clock", 2)), GenevalPromptFile.parseLine(twoClocks, 0, "t").include());
        assertThrows(BadInputException.class, () -> GenevalPromptFile.parseLine(twoClocks, 0, "t", ANY_CLASS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dog"})
    void classesOutsideTheAllowedSetAreRejected(String cls) {
        String line = "{\"tag\": \"single_object\", \"include\": [{\"class\": \"" + cls + "\", \"count\": 1}], \"prompt\": \"a photo of a dog\"}";
        BadInputException e = assertThrows(BadInputException.class,
                () -> GenevalPromptFile.parseLine(line, 0, "t", GenevalPromptFile.Checks.dataset(Set.of("circle", "star"))));
        assertEquals("t: \"include[0].class\" is \"dog\", not a class of the dataset (circle, star)", e.getMessage());
    }

    @Test
    void writerEscapesAsPythonJsonDumps() {
        GenevalPrompt p = new GenevalPrompt(GenevalTask.POSITION,
                List.of(GenevalClause.of("caf\u00e9", 1), GenevalClause.of("dog", 1).withColor("red").withPosition(Relation.BELOW, 0)),
                List.of(), "a \"dog\" below a caf\u00e9");
        String line = GenevalPromptFile.toLine(p);
        assertEquals("{\"tag\": \"position\", \"include\": [{\"class\": \"caf\\u00e9\", \"count\": 1}, "
                + "{\"class\": \"dog\", \"count\": 1, \"color\": \"red\", \"position\": [\"below\", 0]}], "
                + "\"prompt\": \"a \\\"dog\\\" below a caf\\u00e9\"}", line);
        GenevalPromptLine read = GenevalPromptFile.parseLine(line, 7, "t", ANY_CLASS);
        assertEquals(new GenevalPromptLine(7, p, line), read);
    }

    @Test
    void jsonKeepsTheFilesKeyOrderAsPythonWould() {
        String line = "{\"prompt\":\"p\",\"include\":[{\"count\":1,\"class\":\"cat\"}],\"tag\":\"single_object\"}";
        assertEquals("{\"prompt\": \"p\", \"include\": [{\"count\": 1, \"class\": \"cat\"}], \"tag\": \"single_object\"}",
                GenevalPromptFile.parseLine(line, 0, "t").json());
    }

    // ---- whole files: strict (first problem thrown as file:line) and collecting (every problem, good lines kept)

    private String errorFor(String... lines) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return assertThrows(BadInputException.class, () -> GenevalPromptFile.read(file)).getMessage();
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
        assertEquals(empty + ": no prompts in the file", assertThrows(BadInputException.class, () -> GenevalPromptFile.read(empty)).getMessage());
        Path absent = dir.resolve("absent.jsonl");
        assertEquals(absent + ": no such file", assertThrows(BadInputException.class, () -> GenevalPromptFile.read(absent)).getMessage());
    }

    @Test
    void collectingModeReportsEveryBadLineAndKeepsTheGoodOnes() throws Exception {
        Path file = dir.resolve("mixed.jsonl");
        Files.writeString(file, String.join("\n", GOOD, "", GOOD.replace("cat", "dog"), "{\"tag\": ", GOOD) + "\n", StandardCharsets.UTF_8);
        Problems problems = Problems.collecting();
        List<GenevalPromptLine> read = GenevalPromptFile.read(file, "mixed.jsonl", GenevalPromptFile.Checks.dataset(Set.of("cat")), problems);
        assertEquals(List.of(0, 4), read.stream().map(GenevalPromptLine::index).toList());
        List<Violation> found = problems.found();
        assertEquals(List.of(2, 3, 4), found.stream().map(Violation::line).toList(), found.toString());
        assertEquals("mixed.jsonl:3: \"include[0].class\" is \"dog\", not a class of the dataset (cat)", found.get(1).toString());
        assertTrue(found.get(2).message().startsWith("malformed JSON"), found.toString());
    }
}
