package studio.eval.features;

import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensors;

/** The committed fixtures of tools/reference/features_reference.py (studio/eval/features/). */
final class FeatureFixtures {
    private FeatureFixtures() {}

    static Path path(String relative) {
        try {
            return Path.of(FeatureFixtures.class.getResource("/studio/eval/features/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A U8 tensor [H, W, 3] (or row {@code index} of [N, H, W, 3]) as an image. */
    static RgbImage image(SafeTensors st, String name, int index) {
        long[] shape = st.info(name).shape();
        int h = (int) shape[shape.length - 3];
        int w = (int) shape[shape.length - 2];
        ByteBuffer data = st.data(name);
        byte[] rgb = new byte[h * w * 3];
        data.position(index * rgb.length);
        data.get(rgb);
        return new RgbImage(w, h, rgb);
    }

    static double maxAbsDiff(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("lengths differ: " + expected.length + " vs " + actual.length);
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            max = Math.max(max, d);
        }
        return max;
    }
}
