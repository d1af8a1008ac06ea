package studio.core.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and validates a safetensors header (SD3.md section 6, reference {@code read_metadata} and
 * {@code Metadata::validate}). Every size read from the file is checked against the real file size
 * before anything is allocated from it, so a hostile header costs at most its own (bounded) length.
 */
final class HeaderParser {
    /** The reference parser's {@code MAX_HEADER_SIZE}. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // The header is already capped at 100 MB; let one string use all of it, as the reference does.
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength((int) MAX_HEADER_BYTES).build())
            .build();

    private final Path file;

    private HeaderParser(Path file) {
        this.file = file;
    }

    static Header read(Path file, FileChannel channel) throws IOException {
        return new HeaderParser(file).read(channel);
    }

    private Header read(FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw fail("file is " + fileSize + " bytes, shorter than the 8-byte header length");
        }
        long headerLength = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw fail("declared header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength > fileSize - 8) {
            throw fail("declared header length " + headerLength + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        ByteBuffer headerBytes = readFully(channel, 8, (int) headerLength);
        if (headerLength == 0 || headerBytes.get(0) != '{') {
            throw fail("header does not start with '{'");
        }
        long dataStart = 8 + headerLength;
        long dataLength = fileSize - dataStart;
        Entries entries = parseJson(decodeUtf8(headerBytes));
        new LayoutValidator(file, dataLength).validate(entries.tensors);
        return new Header(dataStart, dataLength, entries.tensors, entries.metadata);
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException("file shrank while reading its header");
            }
        }
        return buffer.flip();
    }

    private String decodeUtf8(ByteBuffer bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(bytes.remaining());
        CoderResult result = decoder.decode(bytes, chars, true);
        if (result.isError()) {
            throw fail("header is not valid UTF-8 (bad byte at header offset " + bytes.position() + ")");
        }
        decoder.flush(chars);
        return chars.flip().toString();
    }

    /** What the JSON object holds, before the layout checks. */
    private record Entries(TreeMap<String, TensorInfo> tensors, Map<String, String> metadata) {}

    private Entries parseJson(String json) {
        TreeMap<String, TensorInfo> tensors = new TreeMap<>();
        Map<String, String> metadata = Map.of();
        try (JsonParser parser = JSON.createParser(json)) {
            expect(parser.nextToken() == JsonToken.START_OBJECT, "header is not a JSON object");
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (METADATA_KEY.equals(name)) {
                    metadata = parseMetadata(parser);
                } else {
                    tensors.put(name, parseEntry(parser, name));
                }
            }
            expect(parser.nextToken() == null, "unexpected content after the header's JSON object");
        } catch (JsonProcessingException e) {
            throw fail("header is not valid JSON: " + jsonProblem(e), e);
        } catch (IOException e) {
            throw fail("header is not valid JSON: " + Printable.of(String.valueOf(e.getMessage()), 300), e);
        }
        return new Entries(tensors, metadata);
    }

    static String jsonProblem(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        return Printable.of(String.valueOf(e.getOriginalMessage()), 300) + where;
    }

    private Map<String, String> parseMetadata(JsonParser parser) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return Map.of(); // serde reads null as "no metadata"
        }
        expect(parser.currentToken() == JsonToken.START_OBJECT, METADATA_KEY + " must be an object of strings");
        Map<String, String> metadata = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            expect(parser.nextToken() == JsonToken.VALUE_STRING,
                    METADATA_KEY + " value for key " + Printable.quoted(key) + " is not a string");
            metadata.put(key, parser.getText());
        }
        return metadata;
    }

    private TensorInfo parseEntry(JsonParser parser, String name) throws IOException {
        String tensor = "tensor " + Printable.quoted(name);
        expect(parser.currentToken() == JsonToken.START_OBJECT, tensor + ": entry is not a JSON object");
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "dtype" -> {
                    expect(value == JsonToken.VALUE_STRING, tensor + ": 'dtype' is not a string");
                    dtypeName = parser.getText();
                }
                case "shape" -> shape = readLongArray(parser, tensor, "shape");
                case "data_offsets" -> offsets = readLongArray(parser, tensor, "data_offsets");
                default -> parser.skipChildren(); // the reference ignores unknown fields too
            }
        }
        expect(dtypeName != null, tensor + ": missing 'dtype'");
        expect(shape != null, tensor + ": missing 'shape'");
        expect(offsets != null, tensor + ": missing 'data_offsets'");
        DType dtype = DType.fromName(dtypeName);
        expect(dtype != null, tensor + ": unknown dtype '" + Printable.of(dtypeName, 40) + "'");
        expect(offsets.length == 2, tensor + ": 'data_offsets' must be [begin, end], found "
                + offsets.length + " numbers");
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1], file);
    }

    /** An array of JSON integers that fit a signed 64-bit long (range checks come later). */
    private long[] readLongArray(JsonParser parser, String tensor, String field) throws IOException {
        String wrongType = tensor + ": '" + field + "' must be an array of integers";
        expect(parser.currentToken() == JsonToken.START_ARRAY, wrongType);
        long[] values = new long[4];
        int count = 0;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            expect(token == JsonToken.VALUE_NUMBER_INT, wrongType);
            expect(parser.getNumberType() == JsonParser.NumberType.INT
                            || parser.getNumberType() == JsonParser.NumberType.LONG,
                    tensor + ": '" + field + "' value " + Printable.of(parser.getText(), 40)
                            + " does not fit a 64-bit integer");
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = parser.getLongValue();
        }
        return Arrays.copyOf(values, count);
    }

    private void expect(boolean condition, String problem) {
        if (!condition) {
            throw fail(problem);
        }
    }

    private SafetensorsFormatException fail(String problem) {
        return new SafetensorsFormatException(file, problem);
    }

    private SafetensorsFormatException fail(String problem, Throwable cause) {
        return new SafetensorsFormatException(file, problem, cause);
    }

    /** The reference's {@code validate}: each span matches its shape, and spans tile the buffer exactly. */
    private record LayoutValidator(Path file, long dataLength) {
        void validate(Map<String, TensorInfo> tensors) {
            for (TensorInfo info : tensors.values()) {
                checkEntry(info);
            }
            List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
            byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
            long covered = 0;
            TensorInfo previous = null;
            for (TensorInfo info : byOffset) {
                if (info.begin() < covered) {
                    throw fail(info, "data_offsets " + offsets(info) + " overlap tensor "
                            + Printable.quoted(previous.name()) + " at " + offsets(previous));
                }
                if (info.begin() > covered) {
                    String after = previous == null ? "the start of the data buffer"
                            : "tensor " + Printable.quoted(previous.name()) + " (ends at " + covered + ")";
                    throw fail(info, "starts at " + info.begin() + ", leaving a hole of "
                            + (info.begin() - covered) + " bytes after " + after);
                }
                covered = info.end();
                previous = info;
            }
            if (covered != dataLength) {
                throw new SafetensorsFormatException(file, (dataLength - covered) + " bytes of the "
                        + dataLength + "-byte data buffer after the last tensor are not covered by any tensor");
            }
        }

        private void checkEntry(TensorInfo info) {
            String declared = info.dtype() + " " + shape(info);
            for (long dim : info.shape()) {
                if (dim < 0) {
                    throw fail(info, "shape " + shape(info) + " has a negative dimension");
                }
            }
            if (info.begin() < 0 || info.end() < 0) {
                throw fail(info, "data_offsets " + offsets(info) + " are negative");
            }
            if (info.begin() > info.end()) {
                throw fail(info, "data_offsets " + offsets(info) + " begin after they end");
            }
            if (info.end() > dataLength) {
                throw fail(info, "data_offsets " + offsets(info) + " end past the data buffer ("
                        + dataLength + " bytes)");
            }
            long needed;
            try {
                needed = info.dtype().byteLength(info.numel());
            } catch (ArithmeticException overflow) {
                throw fail(info, declared + " has more bytes than fit in a 64-bit integer");
            }
            if (needed < 0) {
                throw fail(info, declared + " does not fill a whole number of bytes");
            }
            if (needed != info.byteLength()) {
                throw fail(info, "data_offsets " + offsets(info) + " span " + info.byteLength()
                        + " bytes but " + declared + " needs " + needed);
            }
        }

        private static String shape(TensorInfo info) {
            return Printable.of(info.shapeText(), 200);
        }

        private static String offsets(TensorInfo info) {
            return "[" + info.begin() + ", " + info.end() + "]";
        }

        private SafetensorsFormatException fail(TensorInfo info, String problem) {
            return new SafetensorsFormatException(file, "tensor " + Printable.quoted(info.name()) + ": " + problem);
        }
    }
}
