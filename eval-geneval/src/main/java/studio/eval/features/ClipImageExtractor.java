package studio.eval.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.image.RgbImage;
import studio.diffusion.text.ClipVisionModel;

/**
 * CLIP image features: the projected image embedding ({@code image_embeds} of CLIPVisionModelWithProjection,
 * {@link ClipVisionModel}; not L2-normalised, as clean-fid's FID-CLIP uses {@code encode_image}) of the image
 * preprocessed as openai/CLIP's {@code _transform} (which jmhessel/clipscore uses): the short side resized to the
 * tower's image size with PIL bicubic, a centre crop to a square ({@code round((h − S) / 2)}, Python's half-to-even),
 * ToTensor, then per-channel normalisation — CLIP's mean/std for OpenAI weights, [−1, 1] for pancap-tiny's tower
 * (its trainer feeds pixels / 127.5 − 1, {@code ClipPairs}). {@link ResizeMode#CLEAN} resizes in float instead of 8-bit.
 */
public final class ClipImageExtractor extends NetworkExtractor {
    /** openai/CLIP's normalisation (clip/clip.py {@code _transform}). */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** How pixels are normalised after ToTensor. */
    public enum Normalization {
        /** (x − CLIP mean) / CLIP std: OpenAI CLIP and its Hugging Face ports. */
        CLIP_MEAN_STD,
        /** 2x − 1: pancap-tiny's image tower. */
        MINUS_ONE_TO_ONE
    }

    private final ClipVisionModel model;
    private final ResizeMode resize;
    private final Normalization normalization;
    private final String label;
    private final String weightsId;

    ClipImageExtractor(NDManager manager, ClipVisionModel model, ResizeMode resize, Normalization normalization,
                       String label, String weightsId, int batchSize) {
        super(manager, batchSize);
        this.model = model;
        this.resize = resize;
        this.normalization = normalization;
        this.label = label;
        this.weightsId = weightsId;
    }

    /**
     * Loads a CLIPVisionModelWithProjection folder ({@code image_encoder/}) or a whole transformers CLIPModel folder
     * (its text tower is left unread).
     */
    public static ClipImageExtractor load(Path folder, String label, ResizeMode resize, Normalization normalization,
                                          NDManager parent, int batchSize) throws IOException {
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            throw new BadInputException(folder.toString(), "not a CLIP folder: no config.json (expected a transformers "
                    + "CLIPVisionModelWithProjection or CLIPModel folder)");
        }
        String id = WeightsId.of(folder);
        NDManager manager = parent.newSubManager();
        try {
            ClipVisionModel model = ClipVisionModel.load(folder, manager, Precision.F32);
            return new ClipImageExtractor(manager, model, resize, normalization, label, id, batchSize);
        } catch (RuntimeException | IOException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return label + "-image-embeds:" + weightsId;
    }

    @Override
    public String resizeFilter() {
        int s = model.config().imageSize();
        String norm = normalization == Normalization.CLIP_MEAN_STD ? "CLIP mean/std" : "2x - 1";
        return (resize == ResizeMode.LEGACY ? "legacy (openai/CLIP): PIL 8-bit bicubic" : "clean: PIL bicubic in float")
                + ", short side to " + s + ", centre crop " + s + "x" + s + "; " + norm;
    }

    @Override
    public int dim() {
        return model.config().projectionDim();
    }

    public int imageSize() {
        return model.config().imageSize();
    }

    @Override
    protected Planes preprocess(RgbImage image) {
        return preprocess(image, model.config().imageSize(), resize, normalization);
    }

    /** The tower's input [3, S, S] of one image. */
    public static Planes preprocess(RgbImage image, int size, ResizeMode resize, Normalization normalization) {
        int w = image.width();
        int h = image.height();
        // torchvision Resize(int): the short side becomes `size`, the long one int(size · long / short)
        int newW = w <= h ? size : (int) ((long) size * w / h);
        int newH = w <= h ? (int) ((long) size * h / w) : size;
        Planes x;
        if (resize == ResizeMode.LEGACY) {
            RgbImage r = PilResize.bicubic(image, newW, newH);
            int top = (int) Math.rint((newH - size) / 2.0);
            int left = (int) Math.rint((newW - size) / 2.0);
            x = Planes.toTensor(r.crop(left, top, size, size));
        } else {
            Planes r = PilResize.bicubicFloat(Planes.bytes(image), newW, newH).clamp(0f, 255f);
            x = crop(r, (int) Math.rint((newW - size) / 2.0), (int) Math.rint((newH - size) / 2.0), size).divide(255f);
        }
        if (normalization == Normalization.CLIP_MEAN_STD) {
            return x.normalize(CLIP_MEAN, CLIP_STD);
        }
        return x.normalize(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
    }

    private static Planes crop(Planes p, int left, int top, int size) {
        float[] out = new float[p.channels() * size * size];
        for (int c = 0; c < p.channels(); c++) {
            for (int y = 0; y < size; y++) {
                System.arraycopy(p.data(), (c * p.height() + top + y) * p.width() + left, out, (c * size + y) * size, size);
            }
        }
        return new Planes(p.channels(), size, size, out);
    }

    @Override
    protected NDArray forward(NDArray batch) {
        return model.forward(batch).imageEmbeds();
    }
}
