package studio.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharded checkpoints (index + shards) and folder resolution. */
class SafeTensorsShardedTest {
    private static final String INDEX = "diffusion_pytorch_model.safetensors.index.json";
    private static final String SHARD_1 = "diffusion_pytorch_model-00001-of-00002.safetensors";
    private static final String SHARD_2 = "diffusion_pytorch_model-00002-of-00002.safetensors";

    @TempDir
    Path dir;

    @BeforeEach
    void writeShards() throws Exception {
        new SafeTensorsWriter().metadata("format", "pt")
                .addF32("blocks.0.weight", new long[] {2}, new float[] {1, 2})
                .addF32("blocks.0.bias", new long[] {1}, new float[] {3})
                .write(dir.resolve(SHARD_1));
        new SafeTensorsWriter().metadata("shard", "2")
                .addF16("blocks.1.weight", new long[] {2, 1}, new float[] {4, 5})
                .write(dir.resolve(SHARD_2));
    }

    private Path index(String weightMap) throws Exception {
        return Files.writeString(dir.resolve(INDEX),
                "{\"metadata\": {\"total_size\": 16}, \"weight_map\": {" + weightMap + "}}");
    }

    private Path goodIndex() throws Exception {
        return index("\"blocks.0.weight\": \"" + SHARD_1 + "\", \"blocks.0.bias\": \"" + SHARD_1
                + "\", \"blocks.1.weight\": \"" + SHARD_2 + "\"");
    }

    @Test
    void folderWithIndexOpensAllShards() throws Exception {
        goodIndex();
        try (SafeTensors st = SafeTensors.open(dir)) {
            assertEquals(List.of("blocks.0.bias", "blocks.0.weight", "blocks.1.weight"),
                    st.tensors().stream().map(TensorInfo::name).collect(Collectors.toList()));
            assertEquals(dir.resolve(SHARD_2), st.info("blocks.1.weight").file());
            assertArrayEquals(new float[] {4, 5}, st.readFloats("blocks.1.weight"));
            assertArrayEquals(new float[] {1, 2}, st.readFloats("blocks.0.weight"));
            assertEquals("pt", st.metadata().get("format"));
            assertEquals("2", st.metadata().get("shard"));
            assertEquals("16", st.metadata().get("total_size"));
            assertEquals(2, st.files().size());
        }
    }

    @Test
    void indexFileOpensDirectly() throws Exception {
        try (SafeTensors st = SafeTensors.open(goodIndex())) {
            assertEquals(3, st.tensors().size());
        }
    }

    @Test
    void severalUnindexedFilesNameTheFolder() {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.open(dir));
        assertTrue(e.getMessage().startsWith(dir + ": 2 .safetensors files and no *.safetensors.index.json ("
                + SHARD_1 + ", " + SHARD_2 + ")"), e.getMessage());
    }

    @Test
    void folderWithOneFileOpensIt() throws Exception {
        Path single = Files.createDirectory(dir.resolve("text_encoder"));
        new SafeTensorsWriter().addF32("w", new long[] {1}, new float[] {1}).write(single.resolve("model.safetensors"));
        try (SafeTensors st = SafeTensors.open(single)) {
            assertEquals(single.resolve("model.safetensors"), st.source());
        }
        Path empty = Files.createDirectory(dir.resolve("empty"));
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.open(empty));
        assertEquals(empty + ": no .safetensors file in this folder", e.getMessage());
    }

    @Test
    void indexThatIsNotJson() throws Exception {
        Path index = Files.writeString(dir.resolve(INDEX), "{\"weight_map\": {");
        assertIndexError(index, "index is not valid JSON");
        Files.writeString(index, "{\"weight_map\": {}} trailing");
        assertIndexError(index, "index is not valid JSON");
        Files.writeString(index, "{\"metadata\": {}}");
        assertIndexError(index, "missing 'weight_map' object");
        Files.writeString(index, "{\"weight_map\": {\"a\": 1}}");
        assertIndexError(index, "weight_map: tensor 'a' maps to a non-string");
    }

    @Test
    void indexNamingAMissingShard() throws Exception {
        Path index = index("\"blocks.0.weight\": \"model-00009.safetensors\"");
        assertIndexError(index, "weight_map: shard " + dir.resolve("model-00009.safetensors")
                + " (for tensor 'blocks.0.weight') does not exist");
    }

    @Test
    void indexListingATensorItsShardLacks() throws Exception {
        Path index = index("\"blocks.9.weight\": \"" + SHARD_1 + "\"");
        assertIndexError(index, "weight_map: tensor 'blocks.9.weight' is absent from its shard " + dir.resolve(SHARD_1));
    }

    @Test
    void shardPathsMayNotLeaveTheFolder() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Files.move(dir.resolve(SHARD_1), sub.resolve(SHARD_1));
        Path inner = Files.writeString(sub.resolve(INDEX), "{\"weight_map\": {\"a\": \"../" + SHARD_2 + "\"}}");
        assertIndexError(inner, "weight_map: tensor 'a' names shard '../" + SHARD_2 + "', which is outside the index's folder");
        Files.writeString(inner, "{\"weight_map\": {\"a\": \"" + dir.resolve(SHARD_2).toAbsolutePath() + "\"}}");
        assertIndexError(inner, "which is outside the index's folder");
        Files.writeString(inner, "{\"weight_map\": {\"a\": \"x/../../" + SHARD_2 + "\"}}");
        assertIndexError(inner, "which is outside the index's folder");
        Files.writeString(inner, "{\"weight_map\": {\"a\": \"\"}}");
        assertIndexError(inner, "which is outside the index's folder");
    }

    @Test
    void malformedShardIsReportedAgainstTheShard() throws Exception {
        goodIndex();
        Files.write(dir.resolve(SHARD_2), new byte[] {1, 2});
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.open(dir));
        assertEquals(dir.resolve(SHARD_2) + ": file is 2 bytes, shorter than the 8-byte header length", e.getMessage());
    }

    private static void assertIndexError(Path index, String expected) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafeTensors.open(index));
        assertTrue(e.getMessage().startsWith(index + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), () -> e.getMessage() + " lacks " + expected);
    }
}
