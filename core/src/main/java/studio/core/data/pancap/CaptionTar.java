package studio.core.data.pancap;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import studio.core.BadInputException;
import studio.core.data.Problems;

/**
 * COCONut-PanCap captions as webdataset tar rows (EVAL.md §3.2): an entry
 * {@code caption_train2017/000000208220.txt} is the row {@code __key__ = caption_train2017/000000208220},
 * field {@code txt}. Opening scans the headers once and keeps only (id → offset, size); captions are
 * read on demand, so a large shard is never held in memory.
 */
public final class CaptionTar implements CaptionSource {
    /** The webdataset key ends in the 12-digit COCO id. */
    private static final Pattern KEY = Pattern.compile("(?:.*/)?(\\d{12})");

    /** One webdataset row as read from the tar. */
    public record Row(String key, String txt) {}

    private record Location(long offset, int size, String key) {}

    private final Path file;
    private final String label;
    private final SortedMap<Long, Location> index;

    private CaptionTar(Path file, String label, SortedMap<Long, Location> index) {
        this.file = file;
        this.label = label;
        this.index = index;
    }

    /** Scans {@code file}; rows that are not {@code <key>.txt} with a 12-digit id go to {@code problems}. */
    public static CaptionTar open(Path file, String label, Problems problems) throws IOException {
        SortedMap<Long, Location> index = new TreeMap<>();
        try (TarReader tar = new TarReader(new BufferedInputStream(Files.newInputStream(file)), label, 0)) {
            for (TarReader.Entry e = tar.next(); e != null; e = tar.next()) {
                String where = label + " (" + e.name() + ")";
                int dot = e.name().indexOf('.', e.name().lastIndexOf('/') + 1);
                if (dot < 0 || !e.name().substring(dot + 1).equals("txt")) {
                    continue;
                }
                String key = e.name().substring(0, dot);
                Matcher m = KEY.matcher(key);
                if (!m.matches()) {
                    problems.report(where, 0, "row key '" + key + "' does not end in a 12-digit image id");
                } else if (e.size() > CaptionFolder.MAX_CAPTION_BYTES) {
                    problems.report(where, 0, "caption of " + e.size() + " bytes is larger than " + CaptionFolder.MAX_CAPTION_BYTES);
                } else if (index.putIfAbsent(Long.parseLong(m.group(1)), new Location(e.dataOffset(), (int) e.size(), key)) != null) {
                    problems.report(where, 0, "duplicate row for image " + Long.parseLong(m.group(1)));
                }
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException(label, "file not found");
        }
        return new CaptionTar(file, label, index);
    }

    @Override
    public Optional<String> caption(long imageId) {
        Location at = index.get(imageId);
        if (at == null) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(at.size());
            while (buffer.hasRemaining() && channel.read(buffer, at.offset() + buffer.position()) > 0) {
                // read until full
            }
            if (buffer.hasRemaining()) {
                throw new BadInputException(describe(imageId), "truncated caption");
            }
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(buffer.flip()).toString());
        } catch (CharacterCodingException e) {
            throw new BadInputException(describe(imageId), "not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String describe(long imageId) {
        Location at = index.get(imageId);
        return label + " (" + (at == null ? imageId : at.key()) + ".txt)";
    }

    @Override
    public List<Long> imageIds() {
        return new ArrayList<>(index.keySet());
    }

    /** Every row in archive order, as a webdataset loader yields them ({@code __key__}, {@code txt}). */
    public static List<Row> rows(Path file, String label) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (TarReader tar = new TarReader(new BufferedInputStream(Files.newInputStream(file)), label, CaptionFolder.MAX_CAPTION_BYTES)) {
            for (TarReader.Entry e = tar.next(); e != null; e = tar.next()) {
                if (e.name().endsWith(".txt") && e.data() != null) {
                    rows.add(new Row(e.name().substring(0, e.name().length() - 4), new String(e.data(), StandardCharsets.UTF_8)));
                }
            }
        }
        return rows;
    }

    /**
     * Writes captions as a ustar archive of {@code <prefix>/<12-digit id>.txt} entries, ascending by id,
     * with zero times and owners, so the same captions always give the same bytes.
     */
    public static void write(Path file, String prefix, Map<Long, String> captions) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<Long, String> c : new TreeMap<>(captions).entrySet()) {
            byte[] data = c.getValue().getBytes(StandardCharsets.UTF_8);
            out.writeBytes(header(prefix + "/" + CaptionFolder.fileName(c.getKey()), data.length));
            out.writeBytes(data);
            out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        Files.write(file, out.toByteArray());
    }

    private static byte[] header(String name, int size) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100) {
            throw new IllegalArgumentException("tar entry name longer than 100 bytes: " + name);
        }
        byte[] h = new byte[512];
        System.arraycopy(nameBytes, 0, h, 0, nameBytes.length);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, "00000000000");
        h[156] = '0';
        put(h, 257, "ustar");
        put(h, 263, "00");
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
