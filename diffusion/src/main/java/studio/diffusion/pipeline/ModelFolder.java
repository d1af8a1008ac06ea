package studio.diffusion.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import studio.core.BadInputException;
import studio.core.Installation;
import studio.diffusion.sampling.RectifiedFlow;

/**
 * A diffusers SD3 model folder (SD3.md §1.1): {@code model_index.json}, {@code transformer/}, {@code vae/},
 * {@code text_encoder*}/, {@code tokenizer*}/, {@code scheduler/scheduler_config.json}. {@code --model NAME}
 * resolves to {@code <studio home>/models/NAME}, anything that looks like a path to that folder.
 *
 * @param name what the user called it (the folder name for paths)
 * @param flow the scheduler's rectified flow: {@code shift} and {@code num_train_timesteps} from its config
 */
public record ModelFolder(String name, Path root, RectifiedFlow flow) {

    /** The studio installation ({@link Installation#root()}), whose {@code models/} holds named models. */
    public static Path studioHome() {
        return Installation.root();
    }

    /** Resolves {@code --model NAME|DIR} against {@code home}; bad input names the field and what is missing. */
    public static ModelFolder resolve(String model, Path home) throws IOException {
        if (model == null || model.isBlank()) {
            throw new BadInputException("--model", "empty");
        }
        boolean pathLike = model.contains("/") || model.contains("\\") || model.startsWith(".");
        Path root = pathLike ? Path.of(model) : home.resolve("models").resolve(model);
        if (!Files.isDirectory(root)) {
            throw new BadInputException("--model " + model, pathLike ? "no such folder"
                    : "no model folder " + root + " (models there: " + String.join(", ", models(home)) + ")");
        }
        return open(pathLike ? root.getFileName().toString() : model, root);
    }

    /** Opens {@code root} as a diffusers SD3 folder, reading the scheduler's shift. */
    public static ModelFolder open(String name, Path root) throws IOException {
        for (String required : new String[] {"model_index.json", "transformer", "vae", "scheduler/scheduler_config.json"}) {
            if (!Files.exists(root.resolve(required))) {
                throw new BadInputException(root.resolve(required).toString(),
                        "missing: not a diffusers SD3 folder (SD3.md §1.1)");
            }
        }
        return new ModelFolder(name, root.toAbsolutePath().normalize(), readFlow(root.resolve("scheduler/scheduler_config.json")));
    }

    /**
     * FlowMatchEulerDiscreteScheduler's config (SD3.md §2.1): shift (diffusers' default 1.0 when absent; SD3 3.0)
     * and num_train_timesteps (1000, the only value SD3 uses). Dynamic shifting (Flux-style) is refused: SD3 does not use it.
     */
    static RectifiedFlow readFlow(Path config) throws IOException {
        JsonNode n = new ObjectMapper().readTree(config.toFile());
        if (n.path("use_dynamic_shifting").asBoolean(false)) {
            throw new BadInputException(config + ": use_dynamic_shifting", "must be false for SD3");
        }
        double shift = n.path("shift").asDouble(1.0);
        int train = n.path("num_train_timesteps").asInt(1000);
        if (!(shift > 0)) {
            throw new BadInputException(config + ": shift", "must be > 0, got " + shift);
        }
        if (train != 1000) { // the guidance code computes timesteps as σ·1000 (SD3.md §7.7)
            throw new BadInputException(config + ": num_train_timesteps", "must be 1000 (SD3), got " + train);
        }
        return new RectifiedFlow(shift, train);
    }

    private static List<String> models(Path home) throws IOException {
        List<String> names = new ArrayList<>();
        Path dir = home.resolve("models");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> Files.isRegularFile(p.resolve("model_index.json")))
                        .forEach(p -> names.add(p.getFileName().toString()));
            }
        }
        names.sort(null);
        return names.isEmpty() ? List.of("none") : names;
    }

    public Path transformer() {
        return root.resolve("transformer");
    }

    public Path vae() {
        return root.resolve("vae");
    }

    public double shift() {
        return flow.shift();
    }
}
