package studio.eval.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.data.geneval.GenevalPromptLine;
import studio.core.data.geneval.GenevalTask;

/** An official-layout folder scored from a detections file, through to results.jsonl and the summary. */
class GenevalScorerTest {
    @TempDir
    Path dir;
    Path images;

    /** Says "red" when most unmasked pixels of the crop are red, else "white"; records the crops. */
    static final class RednessClassifier implements ColorClassifier {
        final List<BufferedImage> crops = new ArrayList<>();

        @Override
        public List<String> classify(List<BufferedImage> batch, String className) {
            crops.addAll(batch);
            List<String> colors = new ArrayList<>();
            for (BufferedImage crop : batch) {
                int red = 0;
                for (int y = 0; y < crop.getHeight(); y++) {
                    for (int x = 0; x < crop.getWidth(); x++) {
                        red += (crop.getRGB(x, y) & 0xFFFFFF) == 0xFF0000 ? 1 : 0;
                    }
                }
                colors.add(red * 2 > crop.getWidth() * crop.getHeight() ? "red" : "white");
            }
            return colors;
        }
    }

    @BeforeEach
    void folder() throws Exception {
        images = dir.resolve("images");
        List<GenevalPromptLine> official = Prompts.official();
        GenevalPromptLine bench = official.get(0); // single_object: a photo of a bench
        GenevalPromptLine colorAttr = official.stream().filter(p -> p.task() == GenevalTask.COLOR_ATTR).findFirst().orElseThrow();
        for (GenevalPromptLine p : List.of(bench, colorAttr)) {
            Layout.writeMetadata(images, p);
            for (int s = 0; s < 2; s++) {
                BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        image.setRGB(x, y, x < 4 ? 0xFF0000 : 0xFFFFFF); // left half red, right half white
                    }
                }
                ImageIO.write(image, "png", Layout.samplePath(images, p.index(), s).toFile());
            }
        }
        Files.writeString(Layout.promptFolder(images, 0).resolve("samples/notes.txt"), "not an image");
    }

    @Test
    void layoutMatchesTheOfficialReadme() throws Exception {
        assertEquals(images.resolve("00000/samples/0001.png"), Layout.samplePath(images, 0, 1));
        assertEquals("{\"tag\": \"single_object\", \"include\": [{\"class\": \"bench\", \"count\": 1}], \"prompt\": \"a photo of a bench\"}",
                Files.readString(images.resolve("00000/metadata.jsonl")));
        List<Layout.PromptImages> scanned = Layout.scan(images);
        assertEquals(2, scanned.size());
        assertEquals(List.of(Layout.samplePath(images, 0, 0), Layout.samplePath(images, 0, 1)), scanned.get(0).images());
    }

    @Test
    void scoresFromADetectionsFileWithGivenColoursAndMaskedCrops() throws Exception {
        GenevalPromptLine colorAttr = Prompts.official().stream().filter(p -> p.task() == GenevalTask.COLOR_ATTR).findFirst().orElseThrow();
        String a = colorAttr.include().get(0).className();
        String b = colorAttr.include().get(1).className();
        String folder = String.format("%05d", colorAttr.index());
        // Mask of the left half (columns 0-3), COCO RLE column-major: 32 ones then 32 zeros after a zero-length 0-run.
        String leftHalf = "{\"size\": [8, 8], \"counts\": [0, 32, 32]}";
        String lines = String.join("\n",
                "{\"image\": \"00000/samples/0000.png\", \"detections\": [{\"class\": \"bench\", \"score\": 0.8, \"box\": [0, 0, 8, 8]}]}",
                "{\"image\": \"00000/samples/0001.png\", \"detections\": [{\"class\": \"bench\", \"score\": 0.2, \"box\": [0, 0, 8, 8]}]}",
                "{\"image\": \"" + folder + "/samples/0000.png\", \"detections\": ["
                        + "{\"class\": \"" + a + "\", \"score\": 0.9, \"box\": [0, 0, 8, 8], \"color\": \"" + colorAttr.include().get(0).color() + "\"},"
                        + "{\"class\": \"" + b + "\", \"score\": 0.9, \"box\": [0, 0, 8, 8], \"color\": \"" + colorAttr.include().get(1).color() + "\"}]}",
                "{\"image\": \"" + folder + "/samples/0001.png\", \"detections\": ["
                        + "{\"class\": \"" + a + "\", \"score\": 0.9, \"box\": [0, 0, 8, 8], \"mask\": " + leftHalf + "},"
                        + "{\"class\": \"" + b + "\", \"score\": 0.9, \"box\": [2.5, 0, 6.5, 8], \"color\": \"" + colorAttr.include().get(1).color() + "\"}]}");
        Path detectionsFile = Files.writeString(dir.resolve("detections.jsonl"), lines + "\n");
        RednessClassifier classifier = new RednessClassifier();
        List<ImageResult> results = new GenevalScorer(DetectionsFile.read(detectionsFile), classifier, RuleOptions.OFFICIAL)
                .scoreFolder(images);

        assertEquals(4, results.size());
        assertEquals(List.of(true, false, true, "red".equals(colorAttr.include().get(0).color())),
                results.stream().map(ImageResult::correct).toList());
        assertEquals("expected bench>=1, found 0", results.get(1).reason());
        // The classifier saw one crop: the whole box, left half the image's red, right half #999 grey.
        assertEquals(1, classifier.crops.size());
        BufferedImage crop = classifier.crops.get(0);
        assertEquals(8, crop.getWidth());
        assertEquals(0xFF0000, crop.getRGB(0, 5) & 0xFFFFFF);
        assertEquals(ColorCrops.BACKGROUND_RGB, crop.getRGB(7, 5) & 0xFFFFFF);

        ImageResult first = results.get(0);
        assertEquals(images.resolve("00000/samples/0000.png").toString(), first.filename());
        assertEquals("{\"bench\": [[0.0, 0.0, 8.0, 8.0, 0.8]]}", first.details());
        assertEquals(Prompts.official().get(0).json(), first.metadata());

        Path resultsFile = dir.resolve("out/results.jsonl");
        ResultsFile.write(resultsFile, results);
        var line = new ObjectMapper().readTree(Files.readAllLines(resultsFile).get(0));
        assertEquals(List.of("filename", "tag", "prompt", "correct", "reason", "metadata", "details"),
                iterable(line.fieldNames()));
        assertEquals(results, ResultsFile.read(resultsFile));
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    @Test
    void summaryIsTheMeanOfTaskMeansAsSummaryScoresPy() {
        String m1 = "{\"tag\": \"single_object\"}";
        String m2 = "{\"tag\": \"counting\", \"x\": 1}";
        String m3 = "{\"tag\": \"counting\", \"x\": 2}";
        List<ImageResult> results = List.of(
                new ImageResult("a", "single_object", "p", true, "", m1, "{}"),
                new ImageResult("b", "single_object", "p", true, "", m1, "{}"),
                new ImageResult("c", "counting", "p", false, "r", m2, "{}"),
                new ImageResult("d", "counting", "p", false, "r", m2, "{}"),
                new ImageResult("e", "counting", "p", true, "", m3, "{}"),
                new ImageResult("f", "counting", "p", false, "r", m3, "{}"));
        Summary s = Summary.of(results);
        assertEquals(0.625, s.overall(), 1e-15); // (1 + 0.25) / 2, not 3/6
        assertEquals(3, s.totalPrompts());
        assertEquals(String.join("\n", "Summary", "=======", "Total images: 6", "Total prompts: 3",
                "% correct images: 50.00%", "% correct prompts: 66.67%", "", "Task breakdown", "==============",
                "single_object    = 100.00% (2 / 2)", "counting         = 25.00% (1 / 4)", "",
                "Overall score (avg. over tasks): 0.62500", ""), s.officialText());
    }

    @Test
    void detectionsFileMustCoverExactlyTheFolder() throws Exception {
        String bench = "{\"class\": \"bench\", \"score\": 0.8, \"box\": [0, 0, 8, 8]}";
        Path missing = Files.writeString(dir.resolve("missing.jsonl"),
                "{\"image\": \"00000/samples/0000.png\", \"detections\": [" + bench + "]}\n");
        GenevalScorer scorer = new GenevalScorer(DetectionsFile.read(missing), null, RuleOptions.OFFICIAL);
        String message = assertThrows(BadInputException.class, () -> scorer.scoreFolder(images)).getMessage();
        assertEquals(missing + ": no line for image \"00000/samples/0001.png\"; add {\"image\": \"00000/samples/0001.png\", "
                + "\"detections\": []} if nothing was detected", message);
    }

    @Test
    void colourClauseWithoutColourOrClassifierIsBadInput() throws Exception {
        GenevalPromptLine colorAttr = Prompts.official().stream().filter(p -> p.task() == GenevalTask.COLOR_ATTR).findFirst().orElseThrow();
        String key = String.format("%05d/samples/0000.png", colorAttr.index());
        Path file = Files.writeString(dir.resolve("d.jsonl"), "{\"image\": \"" + key + "\", \"detections\": [{\"class\": \""
                + colorAttr.include().get(0).className() + "\", \"score\": 0.9, \"box\": [0, 0, 8, 8]}]}\n");
        GenevalScorer scorer = new GenevalScorer(DetectionsFile.read(file), null, RuleOptions.OFFICIAL);
        String message = assertThrows(BadInputException.class,
                () -> scorer.scoreImage(images.resolve(key), key, colorAttr)).getMessage();
        assertTrue(message.startsWith(key + ": a colour clause needs the colour of "), message);
    }

    @Test
    void badDetectionLinesNameFileAndLine() throws Exception {
        assertBad("{\"image\": \"x.png\", \"detections\": [{\"class\": \"cat\", \"score\": 1.5, \"box\": [0, 0, 1, 1]}]}",
                ":1: \"detections[0].score\" must be a number in [0, 1], got 1.5");
        assertBad("{\"image\": \"x.png\", \"detections\": [{\"class\": \"cat\", \"score\": 0.5, \"box\": [5, 0, 1, 1]}]}",
                ":1: \"detections[0].box\": box needs x1 <= x2 and y1 <= y2, got [5.0, 0.0, 1.0, 1.0]");
        assertBad("{\"image\": \"x.png\", \"detections\": [{\"class\": \"cat\", \"score\": 0.5, \"box\": [0, 0, 1, 1], \"colour\": \"red\"}]}",
                ":1: unknown field \"detections[0].colour\"; expected box, class, color, mask, score");
        assertBad("{\"image\": \"x.png\", \"detections\": [{\"class\": \"cat\", \"score\": 0.5, \"box\": [0, 0, 1, 1], \"mask\": \"../m.png\"}]}",
                ":1: \"detections[0].mask\" points outside the detections file's folder");
        assertBad("{\"image\": \"x.png\" \"detections\": []}", ":1: malformed JSON");
        assertBad("{\"image\": \"x.png\", \"detections\": []}\n{\"image\": \"x.png\", \"detections\": []}",
                ":2: image \"x.png\" already listed at ");
    }

    private void assertBad(String content, String expectedAfterFile) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.jsonl"), content + "\n");
        String message = assertThrows(BadInputException.class, () -> DetectionsFile.read(file)).getMessage();
        assertTrue(message.startsWith(file + expectedAfterFile), message);
    }
}
