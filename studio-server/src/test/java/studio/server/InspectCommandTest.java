package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.safetensors.DType;
import studio.core.safetensors.SafeTensorsWriter;

class InspectCommandTest {
    @TempDir
    Path dir;

    /** What one CLI run printed, and its exit code. */
    private record Run(int exit, String out, String err) {}

    private static Run inspect(Path target) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "inspect", target.toString());
        return new Run(exit, out.toString(), err.toString());
    }

    private static void writeSmallModel(Path file) throws Exception {
        new SafeTensorsWriter()
                .metadata("format", "pt")
                .metadata("config", "x".repeat(500))
                .addF32("a.weight", new long[] {2, 2}, new float[] {1, 2, 3, 4})
                .addF16("b.bias", new long[] {3}, new float[] {1, 2, 3})
                .add("step", DType.I64, new long[0], new byte[8])
                .write(file);
    }

    @Test
    void listsTensorsTotalsAndMetadata() throws Exception {
        Path file = dir.resolve("model.safetensors");
        writeSmallModel(file);
        Run run = inspect(file);
        assertEquals(0, run.exit(), run.err());
        String expectedStart = String.join(System.lineSeparator(),
                "a.weight  F32    [2, 2]  16",
                "b.bias    F16    [3]  6",
                "step      I64    []  8",
                "tensors: 3",
                "total: 30 B (30 bytes)",
                "params: F16 3, F32 4, I64 1 (total 8)",
                "metadata:");
        assertTrue(run.out().startsWith(expectedStart), run.out());
        assertTrue(run.out().contains("  format=pt"), run.out());
        assertTrue(run.out().contains("  config=" + "x".repeat(200) + "... (500 chars)"), run.out());
        assertEquals("", run.err());
    }

    @Test
    void shardedFolderIsListedThroughItsIndex() throws Exception {
        new SafeTensorsWriter().addF32("w.0", new long[] {1}, new float[] {1}).write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafeTensorsWriter().addF32("w.1", new long[] {2}, new float[] {1, 2}).write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\": {\"total_size\": 12}, \"weight_map\": "
                + "{\"w.0\": \"model-00001-of-00002.safetensors\", \"w.1\": \"model-00002-of-00002.safetensors\"}}");
        Run run = inspect(dir);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("w.0  F32    [1]  4"), run.out());
        assertTrue(run.out().contains("w.1  F32    [2]  8"), run.out());
        assertTrue(run.out().contains("tensors: 2"), run.out());
        assertTrue(run.out().contains("  total_size=12"), run.out());
    }

    @Test
    void diffusersRootListsEachComponent() throws Exception {
        Files.writeString(dir.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusion3Pipeline\"}");
        writeSmallModel(Files.createDirectory(dir.resolve("transformer")).resolve("diffusion_pytorch_model.safetensors"));
        Path vae = Files.createDirectory(dir.resolve("vae"));
        new SafeTensorsWriter().addF32("decoder.w", new long[] {1}, new float[] {1}).write(vae.resolve("diffusion_pytorch_model.safetensors"));
        new SafeTensorsWriter().addF16("decoder.w", new long[] {1}, new float[] {1}).write(vae.resolve("diffusion_pytorch_model.fp16.safetensors"));
        Files.createDirectory(dir.resolve("scheduler"));
        Run run = inspect(dir);
        assertEquals(0, run.exit(), run.err());
        String out = run.out();
        int transformer = out.indexOf("== transformer/diffusion_pytorch_model.safetensors ==");
        int vaeFp16 = out.indexOf("== vae/diffusion_pytorch_model.fp16.safetensors ==");
        int vaeFp32 = out.indexOf("== vae/diffusion_pytorch_model.safetensors ==");
        assertTrue(transformer >= 0 && vaeFp16 > transformer && vaeFp32 > vaeFp16, out);
        assertTrue(out.contains("model: 3 files, 5 tensors, 36 B (36 bytes)"), out);
        assertTrue(!out.contains("scheduler"), out);
    }

    @Test
    void hostileFileExitsTwoWithOneLine() throws Exception {
        String header = "{\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("model.safetensors");
        Files.write(file, ByteBuffer.allocate(8 + json.length + 12).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).array());
        Run run = inspect(file);
        assertEquals(Main.EXIT_BAD_INPUT, run.exit());
        assertEquals("error: " + file + ": tensor 'a.weight': data_offsets [0, 12] span 12 bytes but F32 [2, 2] needs 16"
                + System.lineSeparator(), run.err());
        assertEquals("", run.out());
    }

    @Test
    void missingPathExitsTwo() {
        Run run = inspect(dir.resolve("absent.safetensors"));
        assertEquals(Main.EXIT_BAD_INPUT, run.exit());
        assertEquals("error: " + dir.resolve("absent.safetensors") + ": no such file or directory"
                + System.lineSeparator(), run.err());
    }

    @Test
    void sparseThreeGibibyteFileIsListedFromItsHeader() throws Exception {
        Path file = sparseLargeFile(dir.resolve("big.safetensors"));
        long start = System.nanoTime();
        Run run = inspect(file);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println("inspect of a " + Files.size(file) + "-byte sparse file took " + elapsedMs + " ms");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("big.2  F16    [16384, 32768]  1073741824"), run.out());
        assertTrue(run.out().contains("tail   F32    [4]  16"), run.out());
        assertTrue(run.out().contains("total: 3.00 GiB (3221225488 bytes)"), run.out());
        assertTrue(run.out().contains("params: F16 1610612736, F32 4 (total 1610612740)"), run.out());
    }

    /** Three 1 GiB F16 tensors left as holes, then an F32 tensor at data offset 3 GiB. */
    private static Path sparseLargeFile(Path file) throws Exception {
        long gib = 1L << 30;
        StringBuilder header = new StringBuilder("{");
        for (int i = 0; i < 3; i++) {
            header.append("\"big.").append(i).append("\":{\"dtype\":\"F16\",\"shape\":[16384,32768],\"data_offsets\":[")
                    .append(i * gib).append(',').append((i + 1) * gib).append("]},");
        }
        header.append("\"tail\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[")
                .append(3 * gib).append(',').append(3 * gib + 16).append("]}}");
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.setLength(8 + json.length + 3 * gib + 16);
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            out.seek(8 + json.length + 3 * gib);
            out.write(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3).putFloat(4).array());
        }
        return file;
    }

    @Test
    void humanReadableSizes() {
        assertEquals("1023 B", InspectCommand.humanBytes(1023));
        assertEquals("1.50 KiB", InspectCommand.humanBytes(1536));
        assertEquals("3.00 GiB", InspectCommand.humanBytes(3L << 30));
    }
}
