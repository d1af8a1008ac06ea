package studio.server.work;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import studio.core.BadInputException;
import studio.diffusion.pipeline.ModelFolder;
import studio.diffusion.pipeline.TextToImage;

/**
 * Text to image as the server needs it. Called only on the device worker thread; implementations may keep a model
 * loaded between calls. Tests use a fast fake; {@link PipelineGenerator} runs the real pipeline.
 */
public interface ImageGenerator extends AutoCloseable {

    /** Told after every sampler step; throwing (e.g. on cancel) aborts the generation. */
    @FunctionalInterface
    interface StepListener {
        void step(int step, int steps);

        /** Steps between preview images (0: none), asked once per generation. */
        default int previewEvery() {
            return 0;
        }

        /** A preview of image 0 after step {@code step} (1-based): the decoded x̂₀ of that step. */
        default void preview(int step, int steps, studio.core.image.RgbImage image) {}
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

    /**
     * A pipeline of its own for a long job (an evaluation): loaded with this generator's device, precision and text
     * encoders, closed by the caller. Separate from the generator's resident model, because a generate job the
     * evaluation yields to may replace that one.
     */
    /** The device and transformer precision {@link #open} loads with, as run reports record them. */
    default String device() {
        return "cpu";
    }

    default studio.core.device.Precision precision() {
        return studio.core.device.Precision.F32;
    }

    default TextToImage open(ModelFolder folder) throws java.io.IOException {
        throw new BadInputException("model", "this server has no diffusion pipeline to evaluate with");
    }

    @Override
    default void close() {}
}
