package studio.eval.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;

class ImageFolderTest {
    @TempDir
    Path dir;

    @Test
    void listsImagesRecursivelyInRelativePathOrderSkippingHiddenAndOtherFiles() throws Exception {
        for (String name : List.of("b/2.PNG", "a.jpg", "b/1.jpeg", "notes.txt", ".hidden/x.png", "c/.y.png", "b/c/0.png")) {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Files.write(p, new byte[] {1});
        }
        List<String> names = ImageFolder.list(dir, "--real").stream().map(p -> ImageFolder.relative(dir, p)).toList();
        assertEquals(List.of("a.jpg", "b/1.jpeg", "b/2.PNG", "b/c/0.png"), names);
    }

    @Test
    void anEmptyOrMissingFolderIsBadInputNamingIt() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("readme.txt"), "no images");
        BadInputException e = assertThrows(BadInputException.class, () -> ImageFolder.list(empty, "--fake"));
        assertTrue(e.getMessage().startsWith("--fake " + empty + ": no PNG or JPEG"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ImageFolder.list(dir.resolve("nope"), "--real"));
        assertTrue(e.getMessage().contains("no such folder"), e.getMessage());
    }
}
