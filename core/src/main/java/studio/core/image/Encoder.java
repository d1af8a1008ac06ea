package studio.core.image;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/** One open libavcodec encoder; owns its context and packet and frees both in {@link #close()}. */
final class Encoder implements AutoCloseable {

    private final AVCodecContext context;
    private final AVPacket packet;

    private Encoder(AVCodecContext context, AVPacket packet) {
        this.context = context;
        this.packet = packet;
    }

    /** Whether this FFmpeg build has an encoder of that name (e.g. "libopenh264"). */
    static boolean available(String encoderName) {
        Ffmpeg.init();
        AVCodec codec = avcodec_find_encoder_by_name(encoderName);
        return codec != null && !codec.isNull();
    }

    /**
     * Opens {@code encoderName}; {@code configure} sets size, pixel format, time base and rates on the
     * context before opening, {@code options} are the encoder's private AVOptions.
     */
    static Encoder open(String encoderName, Consumer<AVCodecContext> configure, Map<String, String> options) {
        Ffmpeg.init();
        AVCodec codec = avcodec_find_encoder_by_name(encoderName);
        if (codec == null || codec.isNull()) {
            throw new IllegalStateException("this FFmpeg build has no encoder '" + encoderName + "'");
        }
        AVCodecContext context = avcodec_alloc_context3(codec);
        AVDictionary dictionary = new AVDictionary(null);
        try {
            configure.accept(context);
            for (Map.Entry<String, String> option : options.entrySet()) {
                av_dict_set(dictionary, option.getKey(), option.getValue(), 0);
            }
            int ret = avcodec_open2(context, codec, dictionary);
            if (ret < 0) {
                throw new IllegalStateException("cannot open encoder " + encoderName + ": " + Ffmpeg.errorText(ret));
            }
            Encoder encoder = new Encoder(context, av_packet_alloc());
            context = null;
            return encoder;
        } finally {
            av_dict_free(dictionary);
            if (context != null) {
                avcodec_free_context(context);
            }
        }
    }

    AVCodecContext context() {
        return context;
    }

    /**
     * Sends {@code frame} (null = end of stream) and hands every packet the encoder produces to
     * {@code sink}; the packet is unreferenced after the sink returns.
     */
    void encode(AVFrame frame, Consumer<AVPacket> sink) {
        int ret = avcodec_send_frame(context, frame);
        if (ret < 0) {
            throw new IllegalStateException("avcodec_send_frame: " + Ffmpeg.errorText(ret));
        }
        while (true) {
            ret = avcodec_receive_packet(context, packet);
            if (ret == ImageDecoder.AVERROR_EAGAIN || ret == AVERROR_EOF) {
                return;
            }
            if (ret < 0) {
                throw new IllegalStateException("avcodec_receive_packet: " + Ffmpeg.errorText(ret));
            }
            try {
                sink.accept(packet);
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    /** Encodes one picture with a still-image encoder and returns the file bytes. */
    byte[] encodeStill(AVFrame frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Consumer<AVPacket> append = p -> {
            byte[] bytes = new byte[p.size()];
            p.data().get(bytes);
            out.writeBytes(bytes);
        };
        encode(frame, append);
        encode(null, append);
        return out.toByteArray();
    }

    @Override
    public void close() {
        av_packet_free(packet);
        avcodec_free_context(context);
    }
}
