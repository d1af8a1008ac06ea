package studio.server.work;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Text to image as the server needs it. Called only on the device worker thread; implementations may keep a model
 * loaded between calls. Tests use a fast fake; {@link PipelineGenerator} runs the real pipeline.
 */
public interface ImageGenerator extends AutoCloseable {

    /** Told after every sampler step; throwing (e.g. on cancel) aborts the generation. */
    @FunctionalInterface
    interface StepListener {
        void step(int step, int steps);
    }

    /** One finished image, able to write itself as a PNG with its generation metadata. */
    interface Image {
        long seed();

        int width();

        int height();

        /** JSON-ready metadata (token report, versions, timings) stored with the image. */
        Map<String, Object> metadata();

        void writePng(Path file);
    }

    List<Image> generate(GenerateParams params, StepListener listener) throws Exception;

    @Override
    default void close() {}
}
