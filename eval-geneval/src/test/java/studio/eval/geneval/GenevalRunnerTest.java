package studio.eval.geneval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalPromptLine;
import studio.core.device.Precision;
import studio.diffusion.pipeline.ModelFolder;
import studio.diffusion.pipeline.PromptConditioner;
import studio.diffusion.pipeline.TextToImage;

/**
 * The runner on the diffusion module's tiny SD3 folder: the official layout, seeds per (prompt, sample), and
 * resumption after a kill (a partial folder is filled, nothing made twice, a temporary never counts).
 */
class GenevalRunnerTest {
    static final Path MODEL = Path.of("../diffusion/src/test/resources/fixtures/pipeline/tiny-sd3");
    static TextToImage pipe;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        pipe = TextToImage.load(ModelFolder.open("tiny-sd3", MODEL), ai.djl.Device.cpu(), Precision.F32,
                PromptConditioner.loader(Precision.F32), Map.of("studio", "test"));
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    /** Counts what it is asked to make, then makes it with the real pipeline. */
    static final class Counting implements GenevalRunner.SampleGenerator {
        final List<String> made = new ArrayList<>();
        final PipelineSamples samples = new PipelineSamples(pipe, List.of(), 2, 3f, 16, 16, "euler", 16);

        @Override
        public void generate(GenevalPromptLine prompt, long seed, Path png) throws java.io.IOException {
            made.add(prompt.index() + "/" + png.getFileName() + "@" + seed);
            samples.generate(prompt, seed, png);
        }
    }

    static GenevalReport.Settings settings(int steps) {
        return new GenevalReport.Settings("generated", "tiny-sd3", MODEL.toString(), List.of(), "official", null, 2, 2,
                steps, 3.0, 16, 16, 5L, GenevalRunner.SEED_RULE, "euler", 16, "f32", "cpu", null, null, RuleOptions.OFFICIAL);
    }

    @Test
    void fillsTheOfficialLayoutAndResumesOnlyWhatIsMissing() throws Exception {
        Path out = dir.resolve("run");
        List<GenevalPromptLine> prompts = Prompts.official().subList(0, 2);
        GenevalRunner.prepare(out, settings(2));
        Counting first = new Counting();
        GenevalRunner.Generated g = GenevalRunner.generate(out, prompts, 2, 5, first, s -> {});
        assertEquals(new GenevalRunner.Generated(4, 0, g.seconds()), g);
        assertEquals(List.of("0/0000.png@5", "0/0001.png@6", "1/0000.png@65541", "1/0001.png@65542"), first.made);
        assertEquals(prompts.get(1).json(), Files.readString(out.resolve("00001/metadata.jsonl"), StandardCharsets.UTF_8));
        assertEquals(2, Layout.scan(out).get(1).images().size());
        byte[] killed = Files.readAllBytes(out.resolve("00001/samples/0000.png"));

        // A kill during the third image: its atomic write left only a temporary, and the fourth was never started.
        Files.delete(out.resolve("00001/samples/0000.png"));
        Files.delete(out.resolve("00001/samples/0001.png"));
        Path temp = out.resolve("00001/samples/.0000.png.12345.part.png");
        Files.write(temp, new byte[] {(byte) 0x89, 'P', 'N'});
        assertTrue(Layout.scan(out).get(1).images().isEmpty(), "a temporary is not a sample for the evaluator");

        GenevalRunner.prepare(out, settings(2));
        Counting second = new Counting();
        GenevalRunner.Generated resumed = GenevalRunner.generate(out, prompts, 2, 5, second, s -> {});
        assertEquals(List.of("1/0000.png@65541", "1/0001.png@65542"), second.made);
        assertEquals(2, resumed.generated());
        assertEquals(2, resumed.reused());
        assertFalse(Files.exists(temp), "the interrupted write's temporary is removed");
        assertArrayEquals(killed, Files.readAllBytes(out.resolve("00001/samples/0000.png")), "same seed, same pixels");

        // More images per prompt later: only the new samples are made.
        Counting third = new Counting();
        GenevalRunner.generate(out, prompts, 3, 5, third, s -> {});
        assertEquals(List.of("0/0002.png@7", "1/0002.png@65543"), third.made);
        assertEquals(4, GenevalRunner.images(out, prompts, 2).stream().mapToInt(p -> p.images().size()).sum());
    }

    @Test
    void refusesToMixRunsOrPrompts() throws Exception {
        Path out = dir.resolve("run");
        GenevalRunner.prepare(out, settings(2));
        BadInputException steps = assertThrows(BadInputException.class, () -> GenevalRunner.prepare(out, settings(3)));
        assertTrue(steps.getMessage().contains("run.json") && steps.getMessage().contains("steps"), steps.getMessage());
        // Scoring choices may change between runs of one folder.
        GenevalRunner.prepare(out, settings(2).withScoring("detections file x", "none"));

        List<GenevalPromptLine> official = Prompts.official();
        GenevalRunner.ensureMetadata(out, official.get(0));
        GenevalPromptLine other = new GenevalPromptLine(0, official.get(5).spec(), official.get(5).json());
        BadInputException prompt = assertThrows(BadInputException.class, () -> GenevalRunner.ensureMetadata(out, other));
        assertTrue(prompt.getMessage().contains("00000/metadata.jsonl") && prompt.getMessage().contains("another prompt"),
                prompt.getMessage());

        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign.resolve("00000/samples"));
        BadInputException notOurs = assertThrows(BadInputException.class, () -> GenevalRunner.prepare(foreign, settings(2)));
        assertTrue(notOurs.getMessage().contains("no run.json"), notOurs.getMessage());
        assertThrows(BadInputException.class, () -> GenevalRunner.checkImagesPerPrompt(0));
        assertThrows(BadInputException.class, () -> GenevalRunner.images(dir.resolve("empty"), official.subList(0, 1), 1));
    }

    @Test
    void seedsDependOnPromptAndSampleOnly() {
        assertEquals(42, GenevalRunner.seed(42, 0, 0));
        assertEquals(45, GenevalRunner.seed(42, 0, 3));
        assertEquals(42 + 65536L * 552 + 3, GenevalRunner.seed(42, 552, 3));
    }
}
