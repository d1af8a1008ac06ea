package studio.core.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import studio.core.BadInputException;

/**
 * A read-only view of a safetensors checkpoint: one file, or the shards named by a
 * {@code *.safetensors.index.json} (ARCHITECTURE.md decision 4). Opening reads and validates only
 * the headers; tensor bytes are mapped on demand with {@link FileChannel#map}, one mapping per
 * tensor at a 64-bit file offset, so files over 2 GiB work and nothing reads a whole file.
 *
 * <p>Mapped buffers stay referenced (and therefore mapped) until {@link #close()}. Thread-safe.
 */
public final class SafeTensors implements AutoCloseable {
    /** Tensors larger than this are decoded by {@link #readFloats} through several smaller mappings. */
    private static final long WINDOW_BYTES = 1L << 30;

    private final Path source;
    private final Map<Path, Shard> shards;
    private final SortedMap<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final Map<String, ByteBuffer> mapped = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One opened .safetensors file. */
    private record Shard(Path file, FileChannel channel, Header header) {}

    private SafeTensors(Path source, Map<Path, Shard> shards, SortedMap<String, TensorInfo> tensors,
                        Map<String, String> metadata) {
        this.source = source;
        this.shards = shards;
        this.tensors = Collections.unmodifiableSortedMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Opens a {@code .safetensors} file, a {@code *.safetensors.index.json}, or a folder holding
     * exactly one index or else exactly one {@code .safetensors} file (the diffusers and transformers
     * layouts). Throws {@link SafetensorsFormatException} for anything malformed or ambiguous.
     */
    public static SafeTensors open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new SafetensorsFormatException(path, "no such file or directory");
        }
        if (Files.isDirectory(path)) {
            return open(pickFromFolder(path));
        }
        if (path.getFileName().toString().endsWith(".index.json")) {
            return openIndex(ShardIndex.read(path));
        }
        Shard shard = openShard(path);
        return new SafeTensors(path, Map.of(path, shard), shard.header().tensors(), shard.header().metadata());
    }

    private static Path pickFromFolder(Path folder) throws IOException {
        List<Path> indexes = listEndingWith(folder, ".safetensors.index.json");
        if (indexes.size() == 1) {
            return indexes.get(0);
        }
        if (indexes.size() > 1) {
            throw new SafetensorsFormatException(folder, "several index files (" + names(indexes)
                    + "); open one of them");
        }
        List<Path> files = listEndingWith(folder, ".safetensors");
        if (files.isEmpty()) {
            throw new SafetensorsFormatException(folder, "no .safetensors file in this folder");
        }
        if (files.size() > 1) {
            throw new SafetensorsFormatException(folder, files.size() + " .safetensors files and no "
                    + "*.safetensors.index.json (" + names(files) + "); open one of them");
        }
        return files.get(0);
    }

    /** Regular files directly in {@code folder} whose name ends with {@code suffix}, sorted. */
    public static List<Path> listEndingWith(Path folder, String suffix) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p))
                    .sorted().collect(Collectors.toList());
        }
    }

    private static String names(List<Path> files) {
        String joined = files.stream().limit(5).map(p -> p.getFileName().toString()).collect(Collectors.joining(", "));
        return files.size() > 5 ? joined + ", ..." : joined;
    }

    private static Shard openShard(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new Shard(file, channel, HeaderParser.read(file, channel));
        } catch (RuntimeException | IOException e) {
            channel.close();
            throw e;
        }
    }

    private static SafeTensors openIndex(ShardIndex index) throws IOException {
        Map<Path, Shard> shards = new LinkedHashMap<>();
        try {
            SortedMap<String, TensorInfo> tensors = new TreeMap<>();
            for (Map.Entry<String, Path> entry : index.weightMap().entrySet()) {
                Shard shard = shards.get(entry.getValue());
                if (shard == null) {
                    shard = openListedShard(index, entry.getKey(), entry.getValue());
                    shards.put(entry.getValue(), shard);
                }
                TensorInfo info = shard.header().tensors().get(entry.getKey());
                if (info == null) {
                    throw new SafetensorsFormatException(index.file(), "weight_map: tensor "
                            + Printable.quoted(entry.getKey()) + " is absent from its shard " + entry.getValue());
                }
                tensors.put(entry.getKey(), info);
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            shards.values().forEach(s -> metadata.putAll(s.header().metadata()));
            metadata.putAll(index.metadata());
            return new SafeTensors(index.file(), shards, tensors, metadata);
        } catch (RuntimeException | IOException e) {
            closeAll(shards.values());
            throw e;
        }
    }

    private static Shard openListedShard(ShardIndex index, String tensor, Path shardFile) throws IOException {
        try {
            return openShard(shardFile);
        } catch (NoSuchFileException e) {
            throw new SafetensorsFormatException(index.file(), "weight_map: shard " + shardFile
                    + " (for tensor " + Printable.quoted(tensor) + ") does not exist", e);
        }
    }

    /** The file or index this was opened from. */
    public Path source() {
        return source;
    }

    /** The .safetensors files holding the tensors (one, or each shard). */
    public List<Path> files() {
        return List.copyOf(shards.keySet());
    }

    /** Every tensor, sorted by name. */
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header entry of {@code name}; IllegalArgumentException if there is none. */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(source + ": no tensor " + Printable.quoted(name));
        }
        return info;
    }

    /** {@code __metadata__} of every file, then (sharded) the index's {@code metadata}; later keys win. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The bytes of {@code name}: a read-only little-endian buffer over exactly its data, mapped from
     * the file. Each call returns an independent buffer (own position) over the same mapping.
     */
    public ByteBuffer data(String name) {
        TensorInfo info = info(name);
        if (info.byteLength() > Integer.MAX_VALUE) {
            throw new BadInputException(info.file().toString(), "tensor " + Printable.quoted(name) + " is "
                    + info.byteLength() + " bytes, more than one buffer can hold (" + Integer.MAX_VALUE
                    + "); read it in parts with data(name, offset, length)");
        }
        ByteBuffer whole = mapped.computeIfAbsent(name, n -> map(info, 0, (int) info.byteLength()));
        ensureOpen();
        return whole.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Part of the bytes of {@code name}: {@code length} bytes from byte {@code offset} of the tensor. */
    public ByteBuffer data(String name, long offset, int length) {
        TensorInfo info = info(name);
        if (offset < 0 || length < 0 || offset > info.byteLength() - length) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", +" + length + ") outside tensor "
                    + Printable.quoted(name) + " of " + info.byteLength() + " bytes");
        }
        return map(info, offset, length);
    }

    private ByteBuffer map(TensorInfo info, long offset, int length) {
        ensureOpen();
        Shard shard = shards.get(info.file());
        try {
            long position = shard.header().dataStart() + info.begin() + offset;
            return shard.channel().map(FileChannel.MapMode.READ_ONLY, position, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("mapping tensor " + Printable.quoted(info.name()) + " of " + info.file(), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(source + " is closed");
        }
    }

    /**
     * Decodes {@code name} to float: F32, F16, BF16, F64, F8_E4M3, F8_E5M2 and the integer types
     * (U64 excluded). For small tensors and tests; at most {@link Integer#MAX_VALUE} elements.
     */
    public float[] readFloats(String name) {
        TensorInfo info = info(name);
        if (!info.dtype().decodesToFloat()) {
            throw unsupported(info, "float");
        }
        float[] out = new float[checkedElementCount(info)];
        forEachWindow(info, (window, first, count) -> ElementDecoder.floats(info.dtype(), window, out, first, count));
        return out;
    }

    /** Reads an integer or BOOL tensor as longs; U64 values above {@link Long#MAX_VALUE} are refused. */
    public long[] readLongs(String name) {
        TensorInfo info = info(name);
        if (!info.dtype().isInteger()) {
            throw unsupported(info, "long");
        }
        long[] out = new long[checkedElementCount(info)];
        forEachWindow(info, (window, first, count) -> ElementDecoder.longs(info, window, out, first, count));
        return out;
    }

    private static BadInputException unsupported(TensorInfo info, String target) {
        return new BadInputException(info.file().toString(), "tensor " + Printable.quoted(info.name())
                + " has dtype " + info.dtype() + ", which cannot be decoded to " + target);
    }

    private static int checkedElementCount(TensorInfo info) {
        long numel = info.numel();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new BadInputException(info.file().toString(), "tensor " + Printable.quoted(info.name())
                    + " has " + numel + " elements, too many for one Java array; use data(name, offset, length)");
        }
        return (int) numel;
    }

    /** Receives consecutive element ranges of a tensor, each in its own mapped window. */
    private interface WindowConsumer {
        void accept(ByteBuffer window, int firstElement, int count);
    }

    private void forEachWindow(TensorInfo info, WindowConsumer consumer) {
        int elementBytes = info.dtype().bits() / 8;
        long numel = info.numel();
        if (info.byteLength() <= Integer.MAX_VALUE) {
            consumer.accept(data(info.name()), 0, (int) numel);
            return;
        }
        long perWindow = WINDOW_BYTES / elementBytes;
        for (long first = 0; first < numel; first += perWindow) {
            int count = (int) Math.min(perWindow, numel - first);
            consumer.accept(map(info, first * elementBytes, count * elementBytes), (int) first, count);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        mapped.clear();
        closeAll(shards.values());
    }

    private static void closeAll(Iterable<Shard> shards) throws IOException {
        IOException first = null;
        for (Shard shard : shards) {
            try {
                shard.channel().close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "SafeTensors[" + source + ", " + tensors.size() + " tensors in " + shards.size() + " file(s)]";
    }
}
