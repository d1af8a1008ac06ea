package studio.core.data.panoptic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.data.DataPng;
import studio.core.data.Problems;

class PanopticFormatsTest {
    @TempDir
    Path dir;

    @Test
    void jsonRoundTripIsByteStable() throws Exception {
        PanopticJson json = new PanopticJson(
                List.of(new ImageInfo(7, "000000000007.jpg", 4, 3)),
                List.of(new PanopticAnnotation(7, "000000000007.png", List.of(
                        new SegmentInfo(1, 187, 0, 0, 9L, new BBox(0, 0, 4, 3)),
                        new SegmentInfo(2, 1, 1, null, null, null)), 0)),
                List.of(new Category(1, "person", 1, "person", List.of(220, 20, 60)),
                        new Category(187, "sky-other-merged", 0, "sky", List.of(70, 130, 180))));
        byte[] first = PanopticJsonWriter.toBytes(json);
        Path file = dir.resolve("p.json");
        Files.write(file, first);
        PanopticJson back = PanopticJsonReader.read(file, "p.json");
        assertEquals(json.images(), back.images());
        assertEquals(json.categories(), back.categories());
        assertEquals(json.annotations().get(0).segments(), back.annotations().get(0).segments());
        assertEquals(6, back.annotations().get(0).line());
        assertArrayEquals(first, PanopticJsonWriter.toBytes(back));
    }

    @Test
    void readsCocoAndCoconutSpellings() throws Exception {
        Path file = dir.resolve("coco.json");
        Files.writeString(file, """
                {"info": {"year": 2017}, "licenses": [],
                 "images": [{"id": 9, "file_name": "a.jpg", "width": 640, "height": 480, "coco_url": "x"}],
                 "annotations": [
                   {"image_id": 9, "file_name": "a.png", "segments_info": [
                     {"id": 3, "category_id": 1, "iscrowd": 0, "bbox": [1.0, 2.0, 30.0, 40.0], "area": 812},
                     {"area": 45822, "category_id": 118, "id": 1, "iscrowd": 0, "isthing": 0}]}],
                 "categories": [{"supercategory": "person", "color": [220, 20, 60], "isthing": 1, "id": 1, "name": "person"}]}
                """);
        PanopticJson json = PanopticJsonReader.read(file, "coco.json");
        SegmentInfo coco = json.annotations().get(0).segments().get(0);
        assertEquals(new BBox(1, 2, 30, 40), coco.bbox());
        assertNull(coco.isthing());
        SegmentInfo coconut = json.annotations().get(0).segments().get(1);
        assertNull(coconut.bbox());
        assertEquals(0, coconut.isthing());
        assertEquals(4, json.annotations().get(0).line());
    }

    @Test
    void badEntriesAreReportedWithLineAndSkipped() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, """
                {"images": [],
                "annotations": [
                {"image_id": 1, "file_name": "a.png", "segments_info": [{"id": 1, "category_id": "sky"}]},
                {"image_id": -2, "file_name": "b.png", "segments_info": []},
                {"image_id": 3, "file_name": "c.png", "segments_info": [{"id": 1, "category_id": 5, "bbox": [1, 2]}]},
                {"image_id": 4, "file_name": "d.png", "segments_info": []}
                ],
                "categories": []}
                """);
        Problems problems = Problems.collecting();
        PanopticJson json = PanopticJsonReader.read(file, "bad.json", problems);
        assertEquals(1, json.annotations().size());
        assertEquals(List.of(
                "bad.json:3: annotations[0].segments_info[0].category_id: expected an integer, got \"sky\"",
                "bad.json:4: annotations[1].image_id: expected a positive integer, got -2",
                "bad.json:5: annotations[2].segments_info[0].bbox: expected [x, y, width, height]"),
                problems.found().stream().map(Object::toString).toList());
        BadInputException strict = assertThrows(BadInputException.class, () -> PanopticJsonReader.read(file, "bad.json"));
        assertEquals("bad.json:3", strict.where());
    }

    @Test
    void malformedAndMissingJson() throws Exception {
        Path file = dir.resolve("m.json");
        Files.writeString(file, "{\"annotations\": [\n{\"image_id\": 1,,}]}");
        BadInputException e = assertThrows(BadInputException.class, () -> PanopticJsonReader.read(file, "m.json"));
        assertTrue(e.getMessage().startsWith("m.json:2: malformed JSON"), e.getMessage());
        Files.writeString(file, "{\"annotations\": [], \"categories\": [], \"images\": [], \"images\": []}");
        assertThrows(BadInputException.class, () -> PanopticJsonReader.read(file, "m.json"));
        assertThrows(BadInputException.class, () -> PanopticJsonReader.read(dir.resolve("none.json"), "none.json"));
    }

    @Test
    void idPngRoundTripsBitExactlyIncludingLargeIds() throws Exception {
        int[] ids = {0, 1, 2, 255, 256, 65_535, 65_536, IdMask.MAX_ID, 1 + 256 * 3 + 65_536 * 7, 12, 12, 0};
        IdMask mask = new IdMask(4, 3, ids);
        Path png = dir.resolve("m.png");
        DataPng.write(png, mask.toRgb());
        assertArrayEquals(ids, IdMask.fromRgb(DataPng.read(png)).ids());
        byte[] rgb = mask.toRgb().rgb();
        assertEquals(1, rgb[3 * 8] & 0xFF);
        assertEquals(3, rgb[3 * 8 + 1] & 0xFF);
        assertEquals(7, rgb[3 * 8 + 2] & 0xFF);
    }

    @Test
    void geometryIsTheInclusiveBoundingRect() {
        IdMask mask = new IdMask(4, 3, new int[] {
            0, 5, 5, 0,
            0, 0, 5, 0,
            2, 0, 0, 0});
        assertEquals(List.of(new MaskGeometry(2, 1, new BBox(0, 2, 1, 1)), new MaskGeometry(5, 3, new BBox(1, 0, 2, 2))), mask.geometry());
        IdMask sparse = new IdMask(2, 1, new int[] {9_000_000, 0});
        assertEquals(List.of(new MaskGeometry(9_000_000, 1, new BBox(0, 0, 1, 1))), sparse.geometry());
    }

    @Test
    void corruptPngIsBadInput() throws Exception {
        Path png = dir.resolve("bad.png");
        Files.write(png, new byte[] {(byte) 137, 80, 78, 71, 1, 2, 3});
        assertThrows(BadInputException.class, () -> DataPng.read(png));
    }
}
