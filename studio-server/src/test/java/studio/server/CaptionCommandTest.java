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

class CaptionCommandTest {
    @TempDir
    Path dir;

    @Test
    void oracleCaptionNamesEverySegmentAndWritesTheIdPngAndOverlay() throws Exception {
        Path world = dir.resolve("w");
        WorldGenerator.generate(world, 5, 2, 32, 1);
        Path image = world.resolve("images/000000000001.png");
        Path out = dir.resolve("cap.json");
        String[] r = run("caption", "--model", "oracle:" + world, image.toString(), "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        JsonNode json = new ObjectMapper().readTree(r[1]);
        String expected = Files.readString(world.resolve("captions/000000000001.txt")).strip();
        assertEquals(expected, json.get("caption").asText().strip());
        assertTrue(json.get("segments").size() >= 2, r[1]);
        assertTrue(Files.isRegularFile(dir.resolve("cap.panoptic.png")));
        assertTrue(Files.isRegularFile(dir.resolve("cap.overlay.png")));
        assertEquals(json.get("caption"), new ObjectMapper().readTree(Files.readString(out)).get("caption"));
    }

    @Test
    void missingImageAndUnknownModelAreBadInput() {
        assertEquals("2", run("caption", "--model", "oracle:" + dir, dir.resolve("none.png").toString())[0]);
        assertEquals("2", run("caption", "--model", "no-such-model", dir.resolve("none.png").toString())[0]);
    }

    @Test
    void sharedImageOptionsNameTheirCommandInTheHelp() {
        String[] caption = run("caption", "--help");
        assertTrue(caption[1].contains("The image to caption.") && caption[1].contains("--out=FILE.json"), caption[1]);
        String[] check = run("check", "--help");
        assertTrue(check[1].contains("The image to check.") && check[1].contains("--out=FILE.json"), check[1]);
    }
}
