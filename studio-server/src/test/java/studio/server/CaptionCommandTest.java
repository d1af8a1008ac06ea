package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.world.WorldGenerator;
import studio.server.CliRun.Run;

class CaptionCommandTest {
    @TempDir
    Path dir;

    @Test
    void oracleCaptionNamesEverySegmentAndWritesTheIdPngAndOverlay() throws Exception {
        Path world = dir.resolve("w");
        WorldGenerator.generate(world, 5, 2, 32, 1);
        Path image = world.resolve("images/000000000001.png");
        Path out = dir.resolve("cap.json");
        Run r = run("caption", "--model", "oracle:" + world, image.toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        String expected = Files.readString(world.resolve("captions/000000000001.txt")).strip();
        assertEquals(expected, json.get("caption").asText().strip());
        assertTrue(json.get("segments").size() >= 2, r.out());
        assertTrue(Files.isRegularFile(dir.resolve("cap.panoptic.png")));
        assertTrue(Files.isRegularFile(dir.resolve("cap.overlay.png")));
        assertEquals(json.get("caption"), new ObjectMapper().readTree(Files.readString(out)).get("caption"));
    }

    @Test
    void missingImageAndUnknownModelAreBadInput() {
        assertEquals(2, run("caption", "--model", "oracle:" + dir, dir.resolve("none.png").toString()).exit());
        assertEquals(2, run("caption", "--model", "no-such-model", dir.resolve("none.png").toString()).exit());
    }

    @Test
    void sharedImageOptionsNameTheirCommandInTheHelp() {
        Run caption = run("caption", "--help");
        assertTrue(caption.out().contains("The image to caption.") && caption.out().contains("--out=FILE.json"), caption.out());
        Run check = run("check", "--help");
        assertTrue(check.out().contains("The image to check.") && check.out().contains("--out=FILE.json"), check.out());
    }
}
