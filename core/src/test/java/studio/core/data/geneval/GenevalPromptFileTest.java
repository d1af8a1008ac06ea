package studio.core.data.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GenevalPromptFileTest {
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
        GenevalPrompt p = GenevalPromptFile.parseLine(line, Set.of());
        assertEquals(line, GenevalPromptFile.toLine(p));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"tag\": \"counting\", \"include\": [{\"class\": \"clock\", \"count\": 2}], \"exclude\": [{\"class\": \"clock\", \"count\": 4}], \"prompt\": \"x\"}",
        "{\"tag\": \"colors\", \"include\": [{\"class\": \"cup\", \"count\": 1}], \"prompt\": \"x\"}",
        "{\"tag\": \"position\", \"include\": [{\"class\": \"cup\", \"count\": 1}, {\"class\": \"dog\", \"count\": 1, \"position\": [\"near\", 0]}], \"prompt\": \"x\"}",
        "{\"tag\": \"single_object\", \"include\": [{\"class\": \"cup\", \"count\": 1}], \"exclude\": [{\"class\": \"cup\", \"count\": 2}], \"prompt\": \"x\"}",
        "{\"tag\": \"drawing\", \"include\": [{\"class\": \"cup\", \"count\": 1}], \"prompt\": \"x\"}",
        "{\"tag\": \"single_object\", \"include\": [], \"prompt\": \"x\"}",
        "{\"tag\": \"single_object\", \"include\": [{\"class\": \"cup\", \"count\": \"1\"}], \"prompt\": \"x\"}",
        "[1, 2]",
        "{\"tag\": ",
    })
    void schemaViolationsAreRejected(String line) {
        GenevalPromptFile.PromptException e = assertThrows(GenevalPromptFile.PromptException.class,
                () -> GenevalPromptFile.parseLine(line, Set.of()));
        assertTrue(!e.getMessage().isBlank());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dog"})
    void classesOutsideTheAllowedSetAreRejected(String cls) {
        String line = "{\"tag\": \"single_object\", \"include\": [{\"class\": \"" + cls + "\", \"count\": 1}], \"prompt\": \"a photo of a dog\"}";
        assertThrows(GenevalPromptFile.PromptException.class, () -> GenevalPromptFile.parseLine(line, Set.of("circle", "star")));
    }
}
