package studio.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;

class ConfigsTest {
    record Optim(double lr, List<Integer> betas) {}

    record Run(String name, int steps, boolean ema, Optim optimizer) {}

    @TempDir
    Path dir;

    private static ObjectNode preset() throws Exception {
        return (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"name\":\"tiny\",\"steps\":10,\"ema\":false,\"optimizer\":{\"lr\":0.001,\"betas\":[9,99]}}");
    }

    @Test
    void layersPresetFileAndSets() throws Exception {
        Path user = dir.resolve("run.json");
        Files.writeString(user, "{\"steps\": 20, \"optimizer\": {\"lr\": 0.5}}");
        Run run = Configs.resolve(preset(), Configs.file(user),
                List.of("ema=true", "optimizer.betas=[1,2]", "name=my run"), Run.class, user.toString());
        assertEquals(new Run("my run", 20, true, new Optim(0.5, List.of(1, 2))), run);
        assertEquals(run, Configs.fromJson(Configs.toJson(run), Run.class, "stored"));
    }

    @Test
    void unknownKeysAreErrorsNamingTheKey() throws Exception {
        Path user = dir.resolve("typo.json");
        Files.writeString(user, "{\"optimizer\": {\"lrr\": 0.5}}");
        BadInputException e = assertThrows(BadInputException.class,
                () -> Configs.resolve(preset(), Configs.file(user), List.of(), Run.class, user.toString()));
        assertTrue(e.getMessage().contains("unknown key 'optimizer.lrr'"), e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> Configs.resolve(preset(), null, List.of("optimizer.momentum=0.9"), Run.class, "--set"));
        assertTrue(e.getMessage().contains("unknown key 'optimizer.momentum'"), e.getMessage());
        assertThrows(BadInputException.class,
                () -> Configs.resolve(preset(), null, List.of("steps"), Run.class, "--set"));
    }

    @Test
    void wrongTypesAndBadFilesAreBadInput() throws Exception {
        BadInputException e = assertThrows(BadInputException.class,
                () -> Configs.resolve(preset(), null, List.of("steps=many"), Run.class, "--set"));
        assertTrue(e.getMessage().contains("wrong value"), e.getMessage());
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\n\"steps\": 3,,\n}");
        e = assertThrows(BadInputException.class, () -> Configs.file(broken));
        assertTrue(e.getMessage().startsWith(broken + ":2"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> Configs.file(dir.resolve("none.json")));
        assertTrue(e.getMessage().contains("no such config file"), e.getMessage());
    }
}
