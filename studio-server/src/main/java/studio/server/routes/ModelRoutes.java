package studio.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import studio.server.app.Api;
import studio.server.app.Deps;
import studio.server.app.Schemas;

/** The model folders and LoRA files the generate form can pick. */
public final class ModelRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelRoutes() {}

    public static void register(Api api, Deps deps) {
        api.tag("models")
                .get("/api/models", "diffusers model folders under the models root", Schemas.ok("models"),
                        ctx -> ctx.json(Map.of("models", models(deps.roots().models()), "default", deps.defaultModel())))
                .get("/api/loras", "LoRA .safetensors files under the LoRA root", Schemas.ok("LoRAs"),
                        ctx -> ctx.json(Map.of("loras", loras(deps.roots().loras()))));
    }

    static List<Map<String, Object>> models(Path root) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s.filter(d -> Files.isRegularFile(d.resolve("model_index.json"))).sorted()::iterator) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", p.getFileName().toString());
                m.put("textEncoders", Files.isDirectory(p.resolve("text_encoder")));
                m.put("nativeSize", nativeSize(p));
                out.add(m);
            }
        }
        return out;
    }

    /** transformer sample_size × VAE factor (2^(levels−1)); null when the configs do not say. */
    static Integer nativeSize(Path model) {
        try {
            JsonNode t = JSON.readTree(model.resolve("transformer/config.json").toFile());
            JsonNode v = JSON.readTree(model.resolve("vae/config.json").toFile());
            int levels = v.path("block_out_channels").size();
            int sample = t.path("sample_size").asInt(0);
            return levels > 0 && sample > 0 ? sample << (levels - 1) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static List<Map<String, Object>> loras(Path root) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root, 3)) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".safetensors") && Files.isRegularFile(f))
                    .sorted()::iterator) {
                out.add(Map.of("name", root.relativize(p).toString().replace('\\', '/'), "bytes", Files.size(p)));
            }
        }
        return out;
    }
}
