package studio.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random corruption of valid files' headers. {@link SafeTensors#open} must either succeed
 * with a self-consistent result or throw {@link SafetensorsFormatException}; anything else (another
 * exception, OutOfMemoryError, a hang) is a bug. The failing seed and header are printed for replay.
 */
class SafeTensorsFuzzTest {
    private static final int ITERATIONS_PER_SEED_FILE = 1200;
    private static final String[] NUMBERS = {"0", "1", "-1", "7", "9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "18446744073709551616", "99999999999999999999999999", "1e400", "-0", "1.5",
            "4611686018427387904", "2147483648", "4294967296", "100000000", "3"};
    private static final String[] TOKENS = {"{", "}", "[", "]", "\"", ":", ",", "-", "0", "9", "e", ".", " ",
            "\\", "\\u0000", "null", "__metadata__", "dtype", "\"F4\"", "\u00e9", "\ud83d\ude00"};

    @TempDir
    Path dir;

    /** A valid file split into its parts so the mutations can target the header. */
    private record Parts(byte[] header, byte[] data) {}

    @Test
    void corruptedHeadersNeverEscapeAsAnythingButFormatErrors() throws Exception {
        List<Parts> seeds = seedFiles();
        Path file = dir.resolve("fuzz.safetensors");
        int opened = 0;
        int refused = 0;
        for (int s = 0; s < seeds.size(); s++) {
            for (int i = 0; i < ITERATIONS_PER_SEED_FILE; i++) {
                long seed = 1_000_003L * s + i;
                byte[] bytes = mutate(seeds.get(s), new Random(seed));
                Files.write(file, bytes);
                try (SafeTensors st = SafeTensors.open(file)) {
                    assertConsistent(st, bytes);
                    opened++;
                } catch (SafetensorsFormatException expected) {
                    assertTrue(!expected.getMessage().contains("\n"), expected.getMessage());
                    refused++;
                } catch (Throwable e) {
                    fail("seed " + seed + " escaped with " + e + "; header: "
                            + Printable.of(new String(bytes, StandardCharsets.ISO_8859_1), 2000), e);
                }
            }
        }
        System.out.println("fuzz: " + opened + " mutated files opened consistently, " + refused + " refused");
        assertTrue(refused > seeds.size() * ITERATIONS_PER_SEED_FILE / 2, "most mutations must be caught");
        assertTrue(opened > 0, "some mutations (whitespace, metadata text) leave a valid file");
    }

    private static void assertConsistent(SafeTensors st, byte[] file) {
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long dataLength = file.length - 8 - headerLength;
        long covered = 0;
        String previous = null;
        for (TensorInfo info : st.tensors()) {
            assertTrue(previous == null || previous.compareTo(info.name()) < 0, "sorted, unique names");
            assertTrue(info.begin() >= 0 && info.end() <= dataLength);
            assertEquals(info.dtype().byteLength(info.numel()), info.byteLength());
            assertEquals(info.byteLength(), st.data(info.name()).remaining());
            if (info.dtype().decodesToFloat()) {
                assertEquals(info.numel(), st.readFloats(info.name()).length);
            }
            covered += info.byteLength();
            previous = info.name();
        }
        assertEquals(dataLength, covered, "tensors tile the data buffer");
    }

    private List<Parts> seedFiles() throws Exception {
        List<Path> files = new ArrayList<>();
        files.add(dir.resolve("mixed.safetensors"));
        new SafeTensorsWriter().metadata("format", "pt").metadata("note", "seed")
                .addF32("w.0", new long[] {2, 3}, new float[6])
                .addF16("w.1", new long[] {3}, new float[3])
                .add("m", DType.BOOL, new long[] {2}, new byte[] {1, 0})
                .add("i", DType.I64, new long[] {1}, new byte[8])
                .add("q", DType.F8_E4M3, new long[] {4}, new byte[4])
                .write(files.get(0));
        files.add(dir.resolve("scalars.safetensors"));
        new SafeTensorsWriter().addF32("alpha", new long[0], new float[] {4})
                .addF32("empty", new long[] {0}, new float[0])
                .add("f4", DType.F4, new long[] {2}, new byte[1])
                .write(files.get(1));
        files.add(dir.resolve("torch.safetensors"));
        try (InputStream in = getClass().getResourceAsStream("/safetensors/torch_fixture.safetensors")) {
            Files.copy(in, files.get(2));
        }
        List<Parts> parts = new ArrayList<>();
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            int n = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            parts.add(new Parts(Arrays.copyOfRange(bytes, 8, 8 + n), Arrays.copyOfRange(bytes, 8 + n, bytes.length)));
        }
        return parts;
    }

    private static byte[] mutate(Parts seed, Random random) {
        byte[] header = seed.header().clone();
        byte[] data = seed.data();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            header = mutateHeader(header, random);
        }
        if (random.nextInt(6) == 0) {
            data = Arrays.copyOf(data, random.nextInt(data.length + 16));
        }
        long declared = header.length;
        switch (random.nextInt(8)) {
            case 0 -> declared = random.nextLong();
            case 1 -> declared = header.length + random.nextInt(64) - 32;
            case 2 -> declared = 100_000_000L + random.nextInt(3) - 1;
            default -> { } // keep the length right so the mutation reaches the JSON parser
        }
        byte[] file = RawFiles.withLength(declared, header, data);
        if (random.nextInt(10) == 0) {
            file = Arrays.copyOf(file, random.nextInt(file.length + 1));
        }
        return file;
    }

    private static byte[] mutateHeader(byte[] header, Random random) {
        int at = header.length == 0 ? 0 : random.nextInt(header.length);
        switch (random.nextInt(7)) {
            case 0 -> {
                if (header.length > 0) {
                    header[at] ^= (byte) (1 << random.nextInt(8));
                }
                return header;
            }
            case 1 -> {
                return splice(header, at, 0, TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
            }
            case 2 -> {
                return splice(header, at, Math.min(1 + random.nextInt(4), header.length - at), new byte[0]);
            }
            case 3 -> {
                return replaceNumber(header, random);
            }
            case 4 -> {
                String dtype = random.nextBoolean() ? DType.values()[random.nextInt(DType.values().length)].name() : "X9";
                return new String(header, StandardCharsets.UTF_8)
                        .replaceFirst("\"(F32|F16|BOOL|I64|F8_E4M3|F4|BF16|U8)\"", "\"" + dtype + "\"")
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 5 -> {
                int from = random.nextInt(header.length + 1);
                int to = Math.min(header.length, from + random.nextInt(80));
                return splice(header, at, 0, Arrays.copyOfRange(header, from, to));
            }
            default -> {
                return randomJson(random, 0).getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    private static byte[] replaceNumber(byte[] header, Random random) {
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < header.length; i++) {
            if (Character.isDigit(header[i]) && (i == 0 || !Character.isDigit(header[i - 1]))) {
                int end = i;
                while (end < header.length && Character.isDigit(header[end])) {
                    end++;
                }
                runs.add(new int[] {i, end});
            }
        }
        if (runs.isEmpty()) {
            return header;
        }
        int[] run = runs.get(random.nextInt(runs.size()));
        String replacement = random.nextInt(4) == 0 ? Long.toString(random.nextLong())
                : NUMBERS[random.nextInt(NUMBERS.length)];
        return splice(header, run[0], run[1] - run[0], replacement.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] splice(byte[] bytes, int at, int removed, byte[] inserted) {
        byte[] out = new byte[bytes.length - removed + inserted.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(bytes, at + removed, out, at + inserted.length, bytes.length - at - removed);
        return out;
    }

    /** Random JSON biased towards header-like objects. */
    private static String randomJson(Random random, int depth) {
        int kind = depth == 0 ? 0 : random.nextInt(depth > 3 ? 3 : 6);
        String[] keys = {"dtype", "shape", "data_offsets", "__metadata__", "a", "w.0", ""};
        return switch (kind) {
            case 0, 5 -> {
                StringBuilder out = new StringBuilder("{");
                int fields = random.nextInt(4);
                for (int f = 0; f < fields; f++) {
                    out.append(f == 0 ? "" : ",").append('"').append(keys[random.nextInt(keys.length)]).append("\":")
                            .append(randomJson(random, depth + 1));
                }
                yield out.append('}').toString();
            }
            case 1 -> NUMBERS[random.nextInt(NUMBERS.length)];
            case 2 -> "\"" + DType.values()[random.nextInt(DType.values().length)] + "\"";
            case 3 -> {
                StringBuilder out = new StringBuilder("[");
                int items = random.nextInt(4);
                for (int i = 0; i < items; i++) {
                    out.append(i == 0 ? "" : ",").append(randomJson(random, depth + 1));
                }
                yield out.append(']').toString();
            }
            default -> random.nextBoolean() ? "null" : "true";
        };
    }
}
