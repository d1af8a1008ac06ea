package studio.core.image;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import studio.core.BadInputException;

/**
 * Decodes the frames of a short clip (MP4, WebM/MKV, AVI, GIF) to {@link RgbImage}s, in display
 * order. Meant for clips the studio wrote and for small user clips, so all frames are held in
 * memory; {@code maxFrames} bounds that. Thread-safe: every call owns its contexts.
 */
public final class VideoReader {

    /** Container demuxers allowed to read the file (no playlists, no network). */
    private static final String VIDEO_DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,gif,apng";

    private VideoReader() {
    }

    /** All frames of the first video stream, at most {@code maxFrames} of them. */
    public static List<RgbImage> readFrames(Path path, int maxFrames) {
        String name = path.toString();
        if (!Files.isRegularFile(path)) {
            throw new BadInputException(name, Files.exists(path) ? "not a regular file" : "file not found");
        }
        Ffmpeg.init();
        AVFormatContext format = avformat_alloc_context();
        av_opt_set(format, "format_whitelist", VIDEO_DEMUXERS, 0);
        int ret = avformat_open_input(format, name, null, (AVDictionary) null);
        if (ret < 0) {
            throw new BadInputException(name, "not a video in a known format (" + Ffmpeg.errorText(ret) + ")");
        }
        try {
            int stream = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
            if (stream < 0) {
                throw new BadInputException(name, "contains no video stream");
            }
            AVCodec codec = avcodec_find_decoder(format.streams(stream).codecpar().codec_id());
            if (codec == null || codec.isNull()) {
                throw new BadInputException(name, "no decoder for its video codec");
            }
            AVCodecContext context = avcodec_alloc_context3(codec);
            try {
                ret = avcodec_parameters_to_context(context, format.streams(stream).codecpar());
                context.thread_count(1);
                if (ret >= 0) {
                    ret = avcodec_open2(context, codec, (AVDictionary) null);
                }
                if (ret < 0) {
                    throw new BadInputException(name, "cannot open decoder (" + Ffmpeg.errorText(ret) + ")");
                }
                return decodeAll(format, context, stream, maxFrames, name);
            } finally {
                avcodec_free_context(context);
            }
        } finally {
            avformat_close_input(format);
        }
    }

    private static List<RgbImage> decodeAll(AVFormatContext format, AVCodecContext context, int stream,
            int maxFrames, String name) {
        List<RgbImage> frames = new ArrayList<>();
        AVPacket packet = av_packet_alloc();
        AVFrame frame = av_frame_alloc();
        try {
            while (frames.size() < maxFrames) {
                if (av_read_frame(format, packet) < 0) {
                    send(context, null, frame, frames, maxFrames, name); // flush delayed frames
                    break;
                }
                try {
                    if (packet.stream_index() == stream) {
                        send(context, packet, frame, frames, maxFrames, name);
                    }
                } finally {
                    av_packet_unref(packet);
                }
            }
            return frames;
        } finally {
            Ffmpeg.free(frame);
            av_packet_free(packet);
        }
    }

    /**
     * Sends one packet (null = flush) and collects the frames it releases. A decoder that answers
     * EAGAIN has frames waiting; they are received first and the same packet is sent again.
     */
    private static void send(AVCodecContext context, AVPacket packet, AVFrame frame, List<RgbImage> frames,
            int maxFrames, String name) {
        while (frames.size() < maxFrames) {
            int ret = avcodec_send_packet(context, packet);
            if (ret < 0 && ret != ImageDecoder.AVERROR_EAGAIN && ret != AVERROR_EOF) {
                throw new BadInputException(name, "corrupt video data (" + Ffmpeg.errorText(ret) + ")");
            }
            receiveAvailable(context, frame, frames, maxFrames, name);
            if (ret != ImageDecoder.AVERROR_EAGAIN) {
                return;
            }
        }
    }

    private static void receiveAvailable(AVCodecContext context, AVFrame frame, List<RgbImage> frames,
            int maxFrames, String name) {
        while (frames.size() < maxFrames) {
            int ret = avcodec_receive_frame(context, frame);
            if (ret == ImageDecoder.AVERROR_EAGAIN || ret == AVERROR_EOF) {
                return;
            }
            if (ret < 0) {
                throw new BadInputException(name, "corrupt video frame (" + Ffmpeg.errorText(ret) + ")");
            }
            try {
                frames.add(ImageDecoder.toRgb(frame, name));
            } finally {
                av_frame_unref(frame);
            }
        }
    }
}
