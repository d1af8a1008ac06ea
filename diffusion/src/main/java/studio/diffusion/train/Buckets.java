package studio.diffusion.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Aspect-ratio buckets (kohya's {@code --enable_bucket}, ANCHORS.md §1.6): sizes with both sides multiples
 * of {@code step} (16 = VAE factor 8 × patch 2, SD3.md §2.5), area at most resolution², sides between
 * resolution/2 and resolution·2. Each image goes to the bucket of nearest log aspect ratio (ties → the
 * larger area), is scaled to cover it and centre-cropped. Batches are drawn within one bucket. With
 * bucketing off every image is centre-cropped to the square resolution².
 */
public final class Buckets {

    /** A training size in pixels. */
    public record Size(int width, int height) {}

    private final List<Size> sizes;

    private Buckets(List<Size> sizes) {
        this.sizes = List.copyOf(sizes);
    }

    /** The buckets for {@code resolution} (a multiple of {@code step}); just the square when {@code enabled} is false. */
    public static Buckets of(int resolution, int step, boolean enabled) {
        if (resolution % step != 0 || resolution <= 0) {
            throw new studio.core.BadInputException("data.resolution", "must be a positive multiple of " + step + ", got " + resolution);
        }
        if (!enabled) {
            return new Buckets(List.of(new Size(resolution, resolution)));
        }
        long area = (long) resolution * resolution;
        java.util.TreeSet<Size> out = new java.util.TreeSet<>(java.util.Comparator.comparingInt(Size::width)
                .thenComparingInt(Size::height));
        int min = Math.max(step, resolution / 2 / step * step);
        for (int w = min; w <= resolution * 2; w += step) {
            int h = (int) Math.min(resolution * 2L, area / w / step * step); // the largest height that fits
            if (h >= min) {
                out.add(new Size(w, h));
                out.add(new Size(h, w)); // and its transpose: tall and wide alike
            }
        }
        return new Buckets(new ArrayList<>(out));
    }

    public List<Size> sizes() {
        return sizes;
    }

    /** The bucket for an image of {@code width}×{@code height}. */
    public Size bucketFor(int width, int height) {
        double aspect = Math.log((double) width / height);
        Size best = null;
        double bestErr = Double.MAX_VALUE;
        for (Size s : sizes) {
            double err = Math.abs(Math.log((double) s.width() / s.height()) - aspect);
            if (err < bestErr - 1e-12 || (Math.abs(err - bestErr) <= 1e-12 && area(s) > area(best))) {
                best = s;
                bestErr = err;
            }
        }
        return best;
    }

    private static long area(Size s) {
        return s == null ? -1 : (long) s.width() * s.height();
    }
}
