package studio.core.data.pancap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.panoptic.BBox;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.ImageInfo;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.data.panoptic.PanopticJson;
import studio.core.data.panoptic.PanopticJsonWriter;
import studio.core.data.panoptic.SegmentInfo;
import studio.core.data.world.WorldGenerator;

class DatasetStatsTest {
    @TempDir
    Path dir;

    @Test
    void tableOneColumnsOnAHandMadeDataset() throws Exception {
        BBox box = new BBox(0, 0, 1, 1);
        List<Category> categories = List.of(new Category(1, "person", 1, "person", List.of(1, 2, 3)),
                new Category(2, "sky", 0, "sky", List.of(1, 2, 3)));
        PanopticJson json = new PanopticJson(
                List.of(new ImageInfo(1, "a.png", 1, 1), new ImageInfo(2, "b.png", 1, 1)),
                List.of(new PanopticAnnotation(1, "a.png", List.of(new SegmentInfo(1, 2, 0, null, 1L, box),
                                new SegmentInfo(2, 1, 0, null, 1L, box), new SegmentInfo(3, 1, 0, null, 1L, box)), 0),
                        new PanopticAnnotation(2, "b.png", List.of(new SegmentInfo(1, 2, 0, 0, 1L, box)), 0)),
                categories);
        Files.write(dir.resolve("panoptic.json"), PanopticJsonWriter.toBytes(json));
        CaptionFolder.write(dir.resolve("captions"), 1, "<0: The sky> is above <1,2: two people>.");
        CaptionFolder.write(dir.resolve("captions"), 2, "Just <0:  sky  > here, four words");
        DatasetStats stats = DatasetStats.of(dir);
        assertEquals(new DatasetStats(2, 2, 0, (6 + 5) / 2.0, 2.0, 1.0, 1.0), stats);
        assertEquals(String.join(System.lineSeparator(), "images: 2", "captions: 2", "average words per caption: 5.5",
                "average masks per image: 2.00", "things per image: 1.00", "stuff per image: 1.00", ""), stats.format());
    }

    /** A fixed small world: these numbers change only if the generator changes (then bump WorldGenerator.VERSION). */
    @Test
    void statsOfAFixedWorld() throws Exception {
        WorldGenerator.generate(dir.resolve("w"), 0, 20, 64, 2);
        DatasetStats stats = DatasetStats.of(dir.resolve("w"));
        assertEquals(20, stats.images());
        assertEquals(20, stats.captions());
        assertEquals(stats.masksPerImage(), stats.thingsPerImage() + stats.stuffPerImage(), 1e-12);
        assertEquals(String.join(System.lineSeparator(), "images: 20", "captions: 20", "average words per caption: 154.8",
                "average masks per image: 5.05", "things per image: 3.00", "stuff per image: 2.05", ""), stats.format());
    }
}
