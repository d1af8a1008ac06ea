package studio.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.core.BadInputException;

/**
 * The scalar part of a checkpoint, {@code state.json}: the optimizer step, the data position (epoch and
 * batch within it), every RNG stream's state, and the resolved config JSON (tensors — trainable weights,
 * optimizer moments, EMA — are separate safetensors files written by their owners). Model-agnostic:
 * the diffusion and captioner trainers both use it.
 *
 * @param step optimizer updates done
 * @param epoch current epoch of the data order
 * @param batchInEpoch batches of that epoch already consumed
 * @param rngs RNG states by stream name ({@link Rng#state()})
 * @param config the resolved config as JSON text
 * @param extra trainer-specific counters (e.g. images seen)
 */
public record TrainState(long step, int epoch, int batchInEpoch, Map<String, long[]> rngs, String config,
                         Map<String, String> extra) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public TrainState {
        rngs = Map.copyOf(rngs);
        extra = Map.copyOf(extra);
    }

    /** Writes {@code state.json} into {@code folder}. */
    public void write(Path folder) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("step", step).put("epoch", epoch).put("batch_in_epoch", batchInEpoch);
        ObjectNode r = n.putObject("rngs");
        rngs.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ArrayNode a = r.putArray(e.getKey());
            for (long w : e.getValue()) {
                a.add(Long.toUnsignedString(w)); // as strings: JSON readers may not keep 64-bit integers
            }
        });
        ObjectNode x = n.putObject("extra");
        extra.forEach(x::put);
        n.set("config", JSON.readTree(config));
        Files.writeString(folder.resolve(Checkpoints.STATE_FILE), JSON.writeValueAsString(n));
    }

    /** Reads {@code state.json} of a checkpoint folder. */
    public static TrainState read(Path folder) throws IOException {
        Path file = folder.resolve(Checkpoints.STATE_FILE);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(folder.toString(), "not a checkpoint (no " + Checkpoints.STATE_FILE + ")");
        }
        JsonNode n = JSON.readTree(file.toFile());
        Map<String, long[]> rngs = new LinkedHashMap<>();
        n.get("rngs").fields().forEachRemaining(e -> {
            long[] w = new long[e.getValue().size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = Long.parseUnsignedLong(e.getValue().get(i).asText());
            }
            rngs.put(e.getKey(), w);
        });
        Map<String, String> extra = new LinkedHashMap<>();
        n.get("extra").fields().forEachRemaining(e -> extra.put(e.getKey(), e.getValue().asText()));
        return new TrainState(n.get("step").asLong(), n.get("epoch").asInt(), n.get("batch_in_epoch").asInt(), rngs,
                JSON.writeValueAsString(n.get("config")), extra);
    }
}
