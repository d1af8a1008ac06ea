package studio.server.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;
import studio.core.BadInputException;
import studio.core.Installation;

/**
 * The folders the server may read and write, and the only way a name from a request becomes a path: a relative
 * name inside one root, with no {@code ..}, no absolute path, no backslash, no NUL, and — after resolving symbolic
 * links — still inside the root's real path (so a link cannot lead out). Violations are 400s naming the field.
 *
 * @param home the studio home ({@code --home}): {@code studio.db}, {@code images/}, {@code jobs/}
 * @param models diffusers model folders by name ({@code pancap-tiny}, …)
 * @param loras LoRA safetensors files
 * @param datasets PanCap-format dataset folders
 * @param presets the training presets the Train page offers ({@code <installation>/configs/train}, read only)
 */
public record Roots(Path home, Path models, Path loras, Path datasets, Path presets) {
    /** Names are path segments of letters, digits, {@code . _ -} and spaces, joined by {@code /}. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}._ -]+(/[\\p{L}\\p{N}._ -]+)*");

    public Roots {
        home = home.toAbsolutePath().normalize();
        models = models.toAbsolutePath().normalize();
        loras = loras.toAbsolutePath().normalize();
        datasets = datasets.toAbsolutePath().normalize();
        presets = presets.toAbsolutePath().normalize();
    }

    /** The default layout: everything under the home; presets from the installation's {@code configs/train}. */
    public static Roots under(Path home, Path models) {
        return under(home, models, Installation.root().resolve("configs/train"));
    }

    public static Roots under(Path home, Path models, Path presets) {
        return new Roots(home, models, home.resolve("loras"), home.resolve("datasets"), presets);
    }

    public Path images() {
        return home.resolve("images");
    }

    public Path jobFiles(String jobId) {
        return home.resolve("jobs").resolve(jobId);
    }

    /** Training run folders, {@code runs/<run id>/}, and their shared latent / text-output cache {@code runs/cache/}. */
    public Path runs() {
        return home.resolve("runs");
    }

    /** Evaluation run folders, {@code evals/<job id>/} (results.jsonl, summary.json, report.html, the samples). */
    public Path evals() {
        return home.resolve("evals");
    }

    /** Creates the home's folders (the roots that do not exist yet are created empty). */
    public void createFolders() throws IOException {
        for (Path p : new Path[] {home, images(), home.resolve("jobs"), runs(), evals(), loras, datasets}) {
            Files.createDirectories(p);
        }
    }

    /** {@code name} as an existing file or folder inside {@code root}; anything else is a 400 naming {@code field}. */
    public static Path confine(Path root, String name, String field) {
        if (name == null || name.isBlank()) {
            throw new BadInputException(field, "missing");
        }
        if (name.length() > 512 || !NAME.matcher(name).matches()) {
            throw new BadInputException(field, "must be a relative name of letters, digits, '.', '_', '-' and '/'");
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new BadInputException(field, "must not contain '.' or '..' segments");
            }
        }
        Path candidate = root.resolve(name).normalize();
        if (!candidate.startsWith(root)) {
            throw new BadInputException(field, "is outside its folder");
        }
        if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS) && !Files.exists(candidate)) {
            throw new BadInputException(field, "no such entry '" + name + "'");
        }
        try {
            Path real = candidate.toRealPath();
            if (!real.startsWith(root.toRealPath())) {
                throw new BadInputException(field, "leads outside its folder (symbolic link)");
            }
            return real;
        } catch (IOException e) {
            throw new BadInputException(field, "no such entry '" + name + "'");
        }
    }
}
