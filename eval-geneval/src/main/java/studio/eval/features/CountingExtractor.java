package studio.eval.features;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import studio.eval.fid.FeatureExtractor;
import studio.eval.fid.FeatureMatrix;

/** A {@link FeatureExtractor} that counts the calls and images passed to it, so callers can tell a cache hit. */
public final class CountingExtractor implements FeatureExtractor {
    private final FeatureExtractor inner;
    private int calls;
    private int images;

    public CountingExtractor(FeatureExtractor inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String resizeFilter() {
        return inner.resizeFilter();
    }

    @Override
    public int dim() {
        return inner.dim();
    }

    @Override
    public FeatureMatrix extract(List<Path> paths) throws IOException {
        calls++;
        images += paths.size();
        return inner.extract(paths);
    }

    public int calls() {
        return calls;
    }

    public int images() {
        return images;
    }
}
