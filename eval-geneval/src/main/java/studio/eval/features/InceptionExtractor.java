package studio.eval.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import studio.core.image.RgbImage;
import studio.eval.features.inception.FidInceptionV3;

/**
 * FID features: Inception-v3 pool3 (2048-d, {@link FidInceptionV3}) with pytorch-fid's weights, preprocessed as
 * <ul>
 *   <li>{@link ResizeMode#LEGACY}, pytorch-fid ({@code ImagePathDataset} + {@code InceptionV3.forward}): ToTensor
 *       ([0, 1], float32), {@code F.interpolate(size=(299, 299), mode="bilinear", align_corners=False)} without
 *       antialias ({@link TorchResize#bilinear}), then {@code 2x − 1};</li>
 *   <li>{@link ResizeMode#CLEAN}, clean-fid's "clean" ({@code cleanfid/resize.py}): PIL bicubic per channel in float
 *       mode to 299 ({@link PilResize#bicubicFloat}), clipped to [0, 255], then the network's {@code (x − 128) / 128}
 *       (the NVIDIA TorchScript clean-fid loads normalises so; it is the same TF graph as pytorch-fid's port).</li>
 * </ul>
 * Images already 299 × 299 are not resized in either mode (both references leave them as they are).
 */
public final class InceptionExtractor extends NetworkExtractor {
    private final FidInceptionV3 model;
    private final ResizeMode resize;
    private final String weightsId;

    InceptionExtractor(NDManager manager, FidInceptionV3 model, ResizeMode resize, String weightsId, int batchSize) {
        super(manager, batchSize);
        this.model = model;
        this.resize = resize;
        this.weightsId = weightsId;
    }

    /** Loads {@code weights} (safetensors, torchvision keys) into a child of {@code parent}; strict. */
    public static InceptionExtractor load(Path weights, ResizeMode resize, NDManager parent, int batchSize) throws IOException {
        String id = WeightsId.of(weights);
        NDManager manager = parent.newSubManager();
        try {
            return new InceptionExtractor(manager, FidInceptionV3.load(weights, manager), resize, id, batchSize);
        } catch (RuntimeException | IOException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "inception-v3-pool3:" + weightsId;
    }

    @Override
    public String resizeFilter() {
        return description(resize);
    }

    /** The report's wording of each resize. */
    public static String description(ResizeMode resize) {
        return resize == ResizeMode.LEGACY
                ? "legacy (pytorch-fid): torch bilinear to 299, align_corners=False, no antialias; 2x - 1"
                : "clean (clean-fid): PIL bicubic per channel in float to 299, clip [0, 255]; (x - 128) / 128";
    }

    @Override
    public int dim() {
        return FidInceptionV3.DIM;
    }

    @Override
    protected Planes preprocess(RgbImage image) {
        return preprocess(image, resize);
    }

    /** The network input [3, 299, 299] of one image. */
    public static Planes preprocess(RgbImage image, ResizeMode resize) {
        int s = FidInceptionV3.SIZE;
        if (resize == ResizeMode.LEGACY) {
            return TorchResize.bilinear(Planes.toTensor(image), s, s).affine(2f, -1f);
        }
        return PilResize.bicubicFloat(Planes.bytes(image), s, s).clamp(0f, 255f).affine(1f / 128f, -1f);
    }

    @Override
    protected NDArray forward(NDArray batch) {
        return model.pool3(batch);
    }
}
