package studio.eval.geneval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import studio.core.BadInputException;
import studio.core.image.ImageResizer;
import studio.core.image.ResizeFilter;
import studio.core.image.RgbImage;

/**
 * CLIP's image preprocessing, the steps of transformers' {@code CLIPImageProcessor} and of the transform
 * open_clip builds for ViT-L-14 (which the official GenEval colour classifier uses): resize so the shorter side
 * is {@code shortestEdge} (bicubic; the longer side {@code int(shortestEdge · long / short)}), centre crop
 * {@code cropSize}² (offset {@code round((side − crop) / 2)}), scale to [0, 1], normalise per channel.
 * The resize is libswscale's bicubic (C = 0.6, {@link ResizeFilter#BICUBIC}) where PIL's is a = −0.5: the
 * pixels differ slightly, the argmax over ten colours hardly ever.
 *
 * @param source where the numbers come from, for reports
 */
public record ClipPreprocess(int shortestEdge, int cropSize, float[] mean, float[] std, String source) {
    /** OpenAI CLIP's normalisation (open_clip {@code OPENAI_DATASET_MEAN/STD}, CLIPImageProcessor's defaults). */
    static final float[] OPENAI_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] OPENAI_STD = {0.26862954f, 0.26130258f, 0.27577711f};
    private static final ObjectMapper JSON = new ObjectMapper();

    public ClipPreprocess {
        if (shortestEdge < cropSize || cropSize < 1) {
            throw new BadInputException(source, "needs 1 <= crop size " + cropSize + " <= shortest edge " + shortestEdge);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new BadInputException(source, "image_mean and image_std need three values");
        }
    }

    /**
     * The tiny CLIP's convention: {@code ClipTrainer} feeds whole {@code imageSize}² world images as
     * {@code x / 127.5 − 1}, i.e. mean = std = 0.5; it writes no preprocessor config.
     */
    public static ClipPreprocess tiny(int imageSize) {
        return new ClipPreprocess(imageSize, imageSize, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f},
                "pancap-tiny CLIP convention: " + imageSize + " px, [-1, 1]");
    }

    /** A transformers {@code preprocessor_config.json} (CLIPImageProcessor): size, crop_size, image_mean, image_std. */
    public static ClipPreprocess read(Path file) throws IOException {
        JsonNode n = JSON.readTree(file.toFile());
        String where = file.toString();
        int size = side(n.get("size"), "shortest_edge", where + ": size");
        int crop = n.path("do_center_crop").asBoolean(true) ? side(n.get("crop_size"), null, where + ": crop_size") : size;
        return new ClipPreprocess(size, crop, floats(n.get("image_mean"), OPENAI_MEAN, where + ": image_mean"),
                floats(n.get("image_std"), OPENAI_STD, where + ": image_std"), where);
    }

    /** An int, or {"shortest_edge": n}, or {"height": n, "width": n} (square only). */
    private static int side(JsonNode node, String key, String where) {
        if (node == null) {
            return 224;
        }
        if (node.canConvertToInt()) {
            return node.intValue();
        }
        if (key != null && node.has(key)) {
            return node.get(key).intValue();
        }
        if (node.has("height") && node.get("height").intValue() == node.path("width").intValue()) {
            return node.get("height").intValue();
        }
        throw new BadInputException(where, "expected a number, {\"shortest_edge\": n} or a square {\"height\", \"width\"}, got " + node);
    }

    private static float[] floats(JsonNode node, float[] fallback, String where) {
        if (node == null) {
            return fallback.clone();
        }
        if (!node.isArray() || node.size() != 3) {
            throw new BadInputException(where, "expected three numbers, got " + node);
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            out[i] = (float) node.get(i).asDouble();
        }
        return out;
    }

    /** CHW floats [3, crop, crop] of one image. */
    public float[] pixels(BufferedImage image) {
        RgbImage rgb = rgb(image);
        int w = rgb.width();
        int h = rgb.height();
        int shortSide = Math.min(w, h);
        int longSide = (int) ((long) shortestEdge * Math.max(w, h) / shortSide);
        RgbImage resized = ImageResizer.resize(rgb, w <= h ? shortestEdge : longSide, w <= h ? longSide : shortestEdge,
                ResizeFilter.BICUBIC);
        int left = (int) Math.rint((resized.width() - cropSize) / 2.0);
        int top = (int) Math.rint((resized.height() - cropSize) / 2.0);
        int plane = cropSize * cropSize;
        float[] out = new float[3 * plane];
        for (int y = 0; y < cropSize; y++) {
            for (int x = 0; x < cropSize; x++) {
                for (int c = 0; c < 3; c++) {
                    out[c * plane + y * cropSize + x] = (resized.get(left + x, top + y, c) / 255f - mean[c]) / std[c];
                }
            }
        }
        return out;
    }

    private static RgbImage rgb(BufferedImage image) {
        byte[] bytes = new byte[image.getWidth() * image.getHeight() * 3];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                int i = (y * image.getWidth() + x) * 3;
                bytes[i] = (byte) (p >> 16);
                bytes[i + 1] = (byte) (p >> 8);
                bytes[i + 2] = (byte) p;
            }
        }
        return new RgbImage(image.getWidth(), image.getHeight(), bytes);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "resize shorter side to %d (bicubic), centre crop %d, mean %s, std %s (%s)",
                shortestEdge, cropSize, Arrays.toString(mean), Arrays.toString(std), source);
    }

    /** The config next to an image tower, if any: {@code image_encoder/preprocessor_config.json} or diffusers' {@code feature_extractor/}. */
    static Path findConfig(Path modelRoot) {
        for (Path p : new Path[] {modelRoot.resolve("image_encoder/preprocessor_config.json"),
                modelRoot.resolve("feature_extractor/preprocessor_config.json"), modelRoot.resolve("preprocessor_config.json")}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
