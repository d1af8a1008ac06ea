package studio.core.image;

import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * An AVIOContext reading from a Java byte array, so that libavformat can probe and demux an image
 * held in memory without a temporary file.
 *
 * <p>JavaCPP backs each callback object with one of a small, fixed number of native thunks per
 * callback class, so a callback per decode would fail under concurrency. Instead there is one
 * read and one seek callback for the whole process; the {@code opaque} pointer FFmpeg hands back
 * is a small native allocation whose address keys the open inputs in a concurrent map.
 */
final class MemoryInput implements AutoCloseable {

    private static final int BUFFER_SIZE = 32 * 1024;
    private static final int SEEK_SET = 0;
    private static final int SEEK_CUR = 1;
    private static final int SEEK_END = 2;
    private static final Map<Long, MemoryInput> OPEN = new ConcurrentHashMap<>();

    private static final Read_packet_Pointer_BytePointer_int READ = new Read_packet_Pointer_BytePointer_int() {
        @Override
        public int call(Pointer opaque, BytePointer buffer, int size) {
            MemoryInput input = OPEN.get(opaque.address());
            return input == null ? AVERROR_EOF : input.read(buffer, size);
        }
    };

    private static final Seek_Pointer_long_int SEEK = new Seek_Pointer_long_int() {
        @Override
        public long call(Pointer opaque, long offset, int whence) {
            MemoryInput input = OPEN.get(opaque.address());
            return input == null ? -1 : input.seek(offset, whence);
        }
    };

    private final byte[] data;
    private int position;
    private final LongPointer key;
    private final AVIOContext context;

    MemoryInput(byte[] data) {
        Ffmpeg.init();
        this.data = data;
        this.key = new LongPointer(1);
        OPEN.put(key.address(), this);
        // avio may replace its buffer with a bigger one, so it must come from av_malloc and be
        // released through the context (see close()).
        BytePointer buffer = new BytePointer(av_malloc(BUFFER_SIZE)).capacity(BUFFER_SIZE);
        AVIOContext created = avio_alloc_context(buffer, BUFFER_SIZE, 0, key, READ, null, SEEK);
        if (created == null || created.isNull()) {
            av_free(buffer);
            OPEN.remove(key.address());
            key.close();
            throw new OutOfMemoryError("avio_alloc_context failed");
        }
        this.context = created;
    }

    AVIOContext context() {
        return context;
    }

    private int read(BytePointer buffer, int size) {
        int count = Math.min(size, data.length - position);
        if (count <= 0) {
            return AVERROR_EOF;
        }
        buffer.position(0).put(data, position, count);
        position += count;
        return count;
    }

    private long seek(long offset, int whence) {
        if ((whence & AVSEEK_SIZE) != 0) {
            return data.length;
        }
        long target = switch (whence & 3) {
            case SEEK_SET -> offset;
            case SEEK_CUR -> position + offset;
            case SEEK_END -> data.length + offset;
            default -> -1;
        };
        if (target < 0 || target > data.length) {
            return -1;
        }
        position = (int) target;
        return target;
    }

    @Override
    public void close() {
        av_free(context.buffer());
        context.buffer(null);
        avio_context_free(context);
        OPEN.remove(key.address());
        key.close();
    }
}
