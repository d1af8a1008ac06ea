package studio.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.layout.CaptionedImage;
import studio.core.data.layout.ImageFolderMetadata;
import studio.core.data.layout.KohyaFolder;
import studio.core.data.world.WorldGenerator;
import studio.core.image.RgbImage;

/** The training reader skips a bad sample with a warning and a count, and never stops for one (issue 3). */
class TrainingSamplesTest {
    @TempDir
    Path dir;

    private static List<String> drain(TrainingSamples samples) {
        List<String> ids = new ArrayList<>();
        samples.forEachRemaining(s -> ids.add(s.id()));
        return ids;
    }

    @Test
    void pancapWorldSkipsBadSamplesAndCountsThem() throws Exception {
        Path w = dir.resolve("w");
        WorldGenerator.generate(w, 1, 6, 32, 2);
        Files.writeString(w.resolve("captions/000000000002.txt"), "<3: unclosed");
        Files.delete(w.resolve("panoptic/000000000004.png"));
        Files.writeString(w.resolve("captions/000000000005.txt"), "<40: ghost>");
        Files.write(w.resolve("images/000000000006.png"), new byte[] {1, 2, 3});
        List<Violation> warnings = new ArrayList<>();
        TrainingSamples samples = TrainingSamples.open(w, warnings::add);
        assertEquals(List.of("1", "3"), drain(samples));
        assertEquals(4, samples.skipped());
        assertEquals(6, samples.listed());
        assertEquals(4, warnings.size());
        assertTrue(warnings.get(0).toString().contains("000000000002.txt:1"), warnings.toString());
        assertTrue(warnings.get(2).toString().contains("segment 41"), warnings.toString());
    }

    @Test
    void decodedPancapSampleHasImageMaskAndGroundedCaption() throws Exception {
        Path w = dir.resolve("w");
        WorldGenerator.generate(w, 1, 2, 32, 1);
        TrainingSample s = TrainingSamples.open(w, v -> { }).next();
        assertEquals(32, s.image().width());
        assertNotNull(s.mask());
        assertTrue(s.caption().phrases().size() >= 2);
        assertEquals(s.annotation().segments().size(), s.mask().geometry().size());
    }

    @Test
    void kohyaFolderRoundTripAndMissingCaption() throws Exception {
        Path k = dir.resolve("kohya");
        byte[] png = DataPng.encode(RgbImage.filled(8, 8, 10, 20, 30));
        KohyaFolder.write(k, "a", "png", png, "a red circle\n");
        KohyaFolder.write(k, "b", "png", png, "two stars");
        Files.write(k.resolve("c.png"), png);
        List<Violation> warnings = new ArrayList<>();
        TrainingSamples samples = TrainingSamples.open(k, warnings::add);
        assertEquals(List.of("a", "b"), drain(samples));
        assertEquals(1, samples.skipped());
        assertTrue(warnings.get(0).toString().contains("c.txt"), warnings.toString());
        Problems problems = Problems.collecting();
        List<CaptionedImage> rows = KohyaFolder.read(k, problems);
        assertEquals("a red circle\n", rows.get(0).caption());
        Path copy = dir.resolve("copy");
        for (CaptionedImage r : rows) {
            KohyaFolder.write(copy, r.id(), "png", Files.readAllBytes(r.image()), r.caption());
        }
        assertEquals(Files.readString(k.resolve("a.txt")), Files.readString(copy.resolve("a.txt")));
    }

    @Test
    void imageFolderMetadataRoundTripAndBadRows() throws Exception {
        Path f = dir.resolve("hf");
        Files.createDirectories(f.resolve("train"));
        Files.write(f.resolve("train/x.png"), DataPng.encode(RgbImage.filled(4, 4, 1, 2, 3)));
        ImageFolderMetadata.write(f, List.of(new CaptionedImage("x", f.resolve("train/x.png"), "a \"quoted\" caption")));
        assertEquals("{\"file_name\": \"train/x.png\", \"text\": \"a \\\"quoted\\\" caption\"}\n", Files.readString(f.resolve("metadata.jsonl")));
        Files.writeString(f.resolve("metadata.jsonl"), Files.readString(f.resolve("metadata.jsonl"))
                + "{\"file_name\": \"../../etc/passwd\", \"text\": \"x\"}\n"
                + "{\"file_name\": \"train/missing.png\", \"caption\": \"x\"}\n"
                + "not json\n");
        List<Violation> warnings = new ArrayList<>();
        TrainingSamples samples = TrainingSamples.open(f, warnings::add);
        List<TrainingSample> read = new ArrayList<>();
        samples.forEachRemaining(read::add);
        assertEquals(1, read.size());
        assertEquals("a \"quoted\" caption", read.get(0).caption().plain());
        assertEquals(3, samples.skipped());
        assertTrue(warnings.get(0).toString().contains("metadata.jsonl:2") && warnings.get(0).message().contains("outside"), warnings.toString());
        assertTrue(warnings.get(1).toString().contains("metadata.jsonl:3"), warnings.toString());
        assertTrue(warnings.get(2).toString().contains("metadata.jsonl:4: malformed JSON"), warnings.toString());
    }
}
