package studio.core.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sharded checkpoint's {@code *.safetensors.index.json} (SD3.md section 6):
 * {@code {"metadata": {...}, "weight_map": {"<tensor>": "<shard file>"}}}. Shard names are resolved
 * inside the index's folder and may not leave it.
 */
record ShardIndex(Path file, Map<String, String> metadata, TreeMap<String, Path> weightMap) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static ShardIndex read(Path indexFile) throws IOException {
        long size = Files.size(indexFile);
        if (size > HeaderParser.MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException(indexFile, "index is " + size + " bytes, over the limit of "
                    + HeaderParser.MAX_HEADER_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(indexFile));
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(indexFile, "index is not valid JSON: " + HeaderParser.jsonProblem(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(indexFile, "index is not a JSON object");
        }
        return new ShardIndex(indexFile, readMetadata(indexFile, root.get("metadata")),
                readWeightMap(indexFile, root.get("weight_map")));
    }

    /** Index metadata values are often numbers ({@code total_size}); keep them as their JSON text. */
    private static Map<String, String> readMetadata(Path indexFile, JsonNode node) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return metadata;
        }
        if (!node.isObject()) {
            throw new SafetensorsFormatException(indexFile, "'metadata' is not a JSON object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = entry.getValue();
            metadata.put(entry.getKey(), value.isValueNode() ? value.asText() : value.toString());
        }
        return metadata;
    }

    private static TreeMap<String, Path> readWeightMap(Path indexFile, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new SafetensorsFormatException(indexFile, "missing 'weight_map' object");
        }
        Path folder = indexFile.getParent() == null ? Path.of("") : indexFile.getParent();
        TreeMap<String, Path> weightMap = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String tensor = "tensor " + Printable.quoted(entry.getKey());
            if (!entry.getValue().isTextual()) {
                throw new SafetensorsFormatException(indexFile, "weight_map: " + tensor + " maps to a non-string");
            }
            weightMap.put(entry.getKey(), shardPath(indexFile, folder, tensor, entry.getValue().asText()));
        }
        return weightMap;
    }

    /** Resolves a shard name inside {@code folder}; absolute paths and {@code ..} are refused. */
    private static Path shardPath(Path indexFile, Path folder, String tensor, String shardName) {
        String problem = "weight_map: " + tensor + " names shard '" + Printable.of(shardName, 200) + "'";
        Path relative;
        try {
            relative = Path.of(shardName);
        } catch (InvalidPathException e) {
            throw new SafetensorsFormatException(indexFile, problem + ", which is not a valid file name");
        }
        boolean escapes = shardName.isEmpty() || relative.isAbsolute() || relative.getRoot() != null;
        for (Path part : relative) {
            escapes |= part.toString().equals("..");
        }
        Path absoluteFolder = folder.toAbsolutePath().normalize();
        Path absoluteShard = absoluteFolder.resolve(relative).normalize();
        if (escapes || !absoluteShard.startsWith(absoluteFolder) || absoluteShard.equals(absoluteFolder)) {
            throw new SafetensorsFormatException(indexFile, problem + ", which is outside the index's folder");
        }
        return folder.resolve(relative).normalize();
    }
}
