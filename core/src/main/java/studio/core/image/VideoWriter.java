package studio.core.image;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_PAL8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_d2q;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_inv_q;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import studio.core.io.AtomicFiles;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * Short clips from frames (denoising steps, validation images over a training run): MP4 and
 * animated GIF, written atomically (temporary file in the same folder, then rename).
 *
 * <p>MP4 is H.264 through {@code libopenh264} (present in the bytedeco FFmpeg 7.1.1 build; there
 * is no libx264 in it), else MPEG-4 Part 2 ({@code mpeg4}); both as 4:2:0 limited-range BT.601,
 * which browsers play. 4:2:0 needs even sizes, so an odd width or height is padded by repeating the
 * last column or row. GIF uses FFmpeg's gif encoder with the fixed palette of {@link GifPalette}.
 * Thread-safe: every call owns its contexts.
 */
public final class VideoWriter {

    private VideoWriter() {
    }

    /** The H.264 encoder if this FFmpeg build has one, else the MPEG-4 Part 2 encoder. */
    public static String mp4Encoder() {
        return Encoder.available("libopenh264") ? "libopenh264" : "mpeg4";
    }

    /** Writes {@code frames} (all the same size) as an MP4 at {@code fps} frames per second. */
    public static void writeMp4(Path path, List<RgbImage> frames, double fps) {
        writeMp4(path, frames, fps, mp4Encoder());
    }

    /** As {@link #writeMp4(Path, List, double)} with a given encoder, "libopenh264" or "mpeg4". */
    static void writeMp4(Path path, List<RgbImage> frames, double fps, String encoder) {
        checkFrames(frames, fps);
        RgbImage first = frames.get(0);
        int width = first.width() + (first.width() & 1);
        int height = first.height() + (first.height() & 1);
        // MPEG-4 Part 2 stores the time base in 16 bits.
        AVRational timeBase = av_inv_q(av_d2q(fps, encoder.equals("mpeg4") ? 65535 : 1_000_000));
        long bitRate = Math.max(1_000_000L, (long) (width * height * fps * 0.4));
        Map<String, String> options = encoder.equals("libopenh264")
                ? Map.of("rc_mode", "off", "allow_skip_frames", "0") : Map.of();
        write(path, "mp4", encoder, frames, timeBase, options, context -> {
            context.width(width);
            context.height(height);
            context.pix_fmt(AV_PIX_FMT_YUV420P);
            context.bit_rate(bitRate);
            context.gop_size((int) Math.max(1, Math.round(fps * 2)));
            context.max_b_frames(0);
            context.color_range(AVCOL_RANGE_MPEG);
            context.colorspace(AVCOL_SPC_SMPTE170M);
            context.level(51);
        }, image -> {
            RgbImage even = padToEven(image);
            AVFrame rgb = Ffmpeg.rgbFrame(even);
            try {
                return Swscale.convert(rgb, width, height, AV_PIX_FMT_YUV420P, SWS_BICUBIC, false);
            } finally {
                Ffmpeg.free(rgb);
            }
        });
    }

    /** Writes {@code frames} as an animated GIF that loops forever; GIF delays are in 1/100 s. */
    public static void writeGif(Path path, List<RgbImage> frames, double fps) {
        checkFrames(frames, fps);
        RgbImage first = frames.get(0);
        write(path, "gif", "gif", frames, av_inv_q(av_d2q(fps, 1_000_000)), Map.of(), context -> {
            context.width(first.width());
            context.height(first.height());
            context.pix_fmt(AV_PIX_FMT_PAL8);
        }, GifPalette::toPal8);
    }

    private static void checkFrames(List<RgbImage> frames, double fps) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames to write");
        }
        if (!(fps > 0 && fps <= 240)) {
            throw new IllegalArgumentException("frame rate must be in (0, 240], got " + fps);
        }
        RgbImage first = frames.get(0);
        for (int i = 1; i < frames.size(); i++) {
            if (frames.get(i).width() != first.width() || frames.get(i).height() != first.height()) {
                throw new IllegalArgumentException("frame " + i + " is " + frames.get(i).width() + "x"
                        + frames.get(i).height() + ", frame 0 is " + first.width() + "x" + first.height());
            }
        }
    }

    private static RgbImage padToEven(RgbImage image) {
        int width = image.width() + (image.width() & 1);
        int height = image.height() + (image.height() & 1);
        if (width == image.width() && height == image.height()) {
            return image;
        }
        byte[] out = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            int sourceRow = Math.min(y, image.height() - 1) * image.width() * 3;
            System.arraycopy(image.rgb(), sourceRow, out, y * width * 3, image.width() * 3);
            if (width > image.width()) {
                System.arraycopy(out, y * width * 3 + (width - 2) * 3, out, y * width * 3 + (width - 1) * 3, 3);
            }
        }
        return new RgbImage(width, height, out);
    }

    private static void write(Path path, String muxer, String encoderName, List<RgbImage> frames,
            AVRational timeBase, Map<String, String> options,
            Consumer<AVCodecContext> configure, Function<RgbImage, AVFrame> convert) {
        Path temp = null;
        try {
            temp = AtomicFiles.tempSibling(path);
            mux(temp, muxer, encoderName, frames, timeBase, options, configure, convert);
            AtomicFiles.commit(temp, path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static void mux(Path file, String muxer, String encoderName, List<RgbImage> frames, AVRational timeBase,
            Map<String, String> options, Consumer<AVCodecContext> configure,
            Function<RgbImage, AVFrame> convert) {
        Ffmpeg.init();
        AVFormatContext output = new AVFormatContext(null);
        int ret = avformat_alloc_output_context2(output, null, muxer, file.toString());
        if (ret < 0) {
            throw new IllegalStateException("no " + muxer + " muxer: " + Ffmpeg.errorText(ret));
        }
        boolean globalHeader = (output.oformat().flags() & AVFMT_GLOBALHEADER) != 0;
        try (Encoder encoder = Encoder.open(encoderName, context -> {
            context.time_base(timeBase);
            context.framerate(av_inv_q(timeBase));
            configure.accept(context);
            if (globalHeader) {
                context.flags(context.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
            }
        }, options)) {
            AVStream stream = avformat_new_stream(output, null);
            check(avcodec_parameters_from_context(stream.codecpar(), encoder.context()), "stream parameters");
            stream.time_base(timeBase);
            AVIOContext io = new AVIOContext(null);
            check(avio_open(io, file.toString(), AVIO_FLAG_WRITE), "open " + file);
            output.pb(io);
            try {
                writeHeader(output, muxer);
                encodeAll(output, stream, encoder, frames, convert);
                check(av_write_trailer(output), "write trailer");
            } finally {
                avio_closep(output.pb());
            }
        } finally {
            avformat_free_context(output);
        }
    }

    private static void writeHeader(AVFormatContext output, String muxer) {
        AVDictionary options = new AVDictionary(null);
        try {
            if (muxer.equals("mp4")) {
                // Index at the front, so browsers start playing before the whole file arrives.
                av_dict_set(options, "movflags", "+faststart", 0);
            }
            check(avformat_write_header(output, options), "write header");
        } finally {
            av_dict_free(options);
        }
    }

    private static void encodeAll(AVFormatContext output, AVStream stream, Encoder encoder, List<RgbImage> frames,
            Function<RgbImage, AVFrame> convert) {
        AVRational codecTimeBase = encoder.context().time_base();
        Consumer<AVPacket> mux = packet -> {
            if (packet.duration() <= 0) {
                // One frame. Without a duration the MP4 edit list ends before the last sample, and
                // demuxers then drop the final frame.
                packet.duration(1);
            }
            av_packet_rescale_ts(packet, codecTimeBase, stream.time_base());
            packet.stream_index(stream.index());
            check(av_interleaved_write_frame(output, packet), "write packet");
        };
        for (int i = 0; i < frames.size(); i++) {
            AVFrame frame = convert.apply(frames.get(i));
            try {
                frame.pts(i);
                encoder.encode(frame, mux);
            } finally {
                Ffmpeg.free(frame);
            }
        }
        encoder.encode(null, mux);
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException(what + ": " + Ffmpeg.errorText(ret));
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp != null) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // The temporary file is hidden (dot-prefixed) and harmless; the write's outcome stands.
            }
        }
    }
}
