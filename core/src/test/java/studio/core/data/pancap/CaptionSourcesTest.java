package studio.core.data.pancap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.data.Problems;

class CaptionSourcesTest {
    @TempDir
    Path dir;

    private static final Map<Long, String> CAPTIONS = new TreeMap<>(Map.of(
            208220L, "< 62,63,48: Additional people> stand near <0:light colored wall>.",
            9L, "A caption with é and a newline\nin it <1: here>",
            139L, ""));

    @Test
    void tarRowsAreWebdatasetKeysAndRoundTripByteStable() throws Exception {
        Path tar = dir.resolve("pancap.tar");
        CaptionTar.write(tar, "caption_train2017", CAPTIONS);
        List<CaptionTar.Row> rows = CaptionTar.rows(tar, "pancap.tar");
        assertEquals("caption_train2017/000000000009", rows.get(0).key());
        assertEquals("caption_train2017/000000208220", rows.get(2).key());
        assertEquals(CAPTIONS.get(208220L), rows.get(2).txt());
        CaptionTar opened = CaptionTar.open(tar, "pancap.tar", Problems.strict());
        assertEquals(List.of(9L, 139L, 208220L), opened.imageIds());
        assertEquals(Optional.of(CAPTIONS.get(9L)), opened.caption(9));
        assertEquals(Optional.empty(), opened.caption(10));
        Map<Long, String> back = new TreeMap<>();
        for (long id : opened.imageIds()) {
            back.put(id, opened.caption(id).orElseThrow());
        }
        Path again = dir.resolve("again.tar");
        CaptionTar.write(again, "caption_train2017", back);
        assertArrayEquals(Files.readAllBytes(tar), Files.readAllBytes(again));
    }

    @Test
    void tarReaderIsHardened() throws Exception {
        Path tar = dir.resolve("t.tar");
        CaptionTar.write(tar, "caption_train2017", CAPTIONS);
        byte[] good = Files.readAllBytes(tar);

        byte[] badChecksum = good.clone();
        badChecksum[3] ^= 1;
        Files.write(tar, badChecksum);
        BadInputException e = assertThrows(BadInputException.class, () -> CaptionTar.open(tar, "t.tar", Problems.strict()));
        assertTrue(e.getMessage().contains("bad checksum"), e.getMessage());

        Files.write(tar, Arrays.copyOf(good, 700));
        e = assertThrows(BadInputException.class, () -> CaptionTar.rows(tar, "t.tar"));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Files.write(tar, "this is not a tar file at all".repeat(40).getBytes());
        assertThrows(BadInputException.class, () -> CaptionTar.open(tar, "t.tar", Problems.strict()));
    }

    @Test
    void tarRowsWithoutAnImageIdAreReported() throws Exception {
        Path tar = dir.resolve("odd.tar");
        CaptionTar.write(tar, "captions", Map.of(1L, "<0: a>"));
        byte[] bytes = Files.readAllBytes(tar);
        // Rename the entry to a key without a 12-digit id and fix the header checksum.
        byte[] name = "captions/readme.txt\0\0\0\0\0\0".getBytes();
        System.arraycopy(name, 0, bytes, 0, name.length);
        Arrays.fill(bytes, 148, 156, (byte) ' ');
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += bytes[i] & 0xFF;
        }
        byte[] checksum = String.format("%06o\0 ", sum).getBytes();
        System.arraycopy(checksum, 0, bytes, 148, 8);
        Files.write(tar, bytes);
        Problems problems = Problems.collecting();
        CaptionTar opened = CaptionTar.open(tar, "odd.tar", problems);
        assertEquals(List.of(), opened.imageIds());
        assertTrue(problems.found().get(0).message().contains("does not end in a 12-digit image id"), problems.found().toString());
    }

    @Test
    void captionFolderRoundTripKeepsTheExactText() throws Exception {
        Path folder = dir.resolve("coconut_pancap_50k");
        for (Map.Entry<Long, String> c : CAPTIONS.entrySet()) {
            CaptionFolder.write(folder, c.getKey(), c.getValue());
        }
        Files.writeString(folder.resolve("notes.md"), "not a caption");
        CaptionFolder read = new CaptionFolder(folder, "coconut_pancap_50k");
        assertEquals(List.of(9L, 139L, 208220L), read.imageIds());
        assertEquals(CAPTIONS.get(208220L), read.caption(208220).orElseThrow());
        assertEquals("coconut_pancap_50k/000000208220.txt", read.describe(208220));
        assertEquals(Optional.empty(), read.caption(5));
    }
}
