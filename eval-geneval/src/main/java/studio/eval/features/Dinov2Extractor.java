package studio.eval.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import studio.core.image.RgbImage;
import studio.eval.features.dinov2.Dinov2Model;

/**
 * FD-DINOv2 features (Stein et al. 2023, dgm-eval {@code dgm_eval/models/dinov2.py}): the CLS token of DINOv2's last
 * layer norm ({@link Dinov2Model}; 1024-d for ViT-L/14) of the image resized to 224 × 224 without keeping the aspect
 * ratio or cropping, then ImageNet mean/std. Resize:
 * <ul>
 *   <li>{@link ResizeMode#LEGACY}, dgm-eval's default: torchvision {@code Resize((224, 224), BICUBIC)} on the PIL image,
 *       PIL's 8-bit bicubic ({@link PilResize#bicubic}), then ToTensor (/255);</li>
 *   <li>{@link ResizeMode#CLEAN}, dgm-eval {@code --clean_resize} ({@code dgm_eval/resizer.py::pil_resize}): PIL bicubic
 *       per channel in float, clipped to [0, 255], divided by 255.</li>
 * </ul>
 */
public final class Dinov2Extractor extends NetworkExtractor {
    /** dgm-eval's input side. */
    public static final int SIZE = 224;
    static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private final Dinov2Model model;
    private final ResizeMode resize;
    private final int size;
    private final String weightsId;

    Dinov2Extractor(NDManager manager, Dinov2Model model, ResizeMode resize, int size, String weightsId, int batchSize) {
        super(manager, batchSize);
        if (size % model.config().patchSize() != 0) {
            throw new IllegalArgumentException("input side " + size + " is not a multiple of the patch " + model.config().patchSize());
        }
        this.model = model;
        this.resize = resize;
        this.size = size;
        this.weightsId = weightsId;
    }

    /** Loads a Dinov2Model folder or file; {@code size} 224 for FD-DINOv2. */
    public static Dinov2Extractor load(Path weights, ResizeMode resize, int size, NDManager parent, int batchSize)
            throws IOException {
        String id = WeightsId.of(weights);
        NDManager manager = parent.newSubManager();
        try {
            return new Dinov2Extractor(manager, Dinov2Model.load(weights, manager), resize, size, id, batchSize);
        } catch (RuntimeException | IOException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "dinov2-cls:" + weightsId + ":" + size;
    }

    @Override
    public String resizeFilter() {
        return resize == ResizeMode.LEGACY
                ? "legacy (dgm-eval): PIL 8-bit bicubic to " + size + "x" + size + ", /255; ImageNet mean/std"
                : "clean (dgm-eval --clean_resize): PIL bicubic per channel in float to " + size + "x" + size
                        + ", clip [0, 255], /255; ImageNet mean/std";
    }

    @Override
    public int dim() {
        return model.config().hiddenSize();
    }

    @Override
    protected Planes preprocess(RgbImage image) {
        return preprocess(image, resize, size);
    }

    public static Planes preprocess(RgbImage image, ResizeMode resize, int size) {
        Planes x = resize == ResizeMode.LEGACY ? Planes.toTensor(PilResize.bicubic(image, size, size))
                : PilResize.bicubicFloat(Planes.bytes(image), size, size).clamp(0f, 255f).divide(255f);
        return x.normalize(IMAGENET_MEAN, IMAGENET_STD);
    }

    @Override
    protected NDArray forward(NDArray batch) {
        return model.clsToken(batch);
    }
}
