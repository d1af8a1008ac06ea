package studio.eval.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import studio.core.image.ImageDecoder;
import studio.core.image.RgbImage;
import studio.eval.fid.FeatureExtractor;
import studio.eval.fid.FeatureMatrix;

/**
 * A {@link FeatureExtractor} over a network: every image is decoded (PIL's {@code convert('RGB')}: alpha dropped),
 * preprocessed on the CPU in Java ({@link #preprocess}), stacked into batches and run through {@link #forward},
 * one NDManager scope per batch so activations are freed as soon as the rows are copied out. fp32 throughout.
 */
public abstract class NetworkExtractor implements FeatureExtractor, AutoCloseable {
    private final NDManager manager;
    private final int batchSize;
    private BiConsumer<Integer, Integer> progress = (done, total) -> { };
    private long forwardNanos;
    private long preprocessNanos;
    private int imagesDone;

    /** @param manager owned by the extractor (weights live under it) and closed with it */
    protected NetworkExtractor(NDManager manager, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.manager = manager;
        this.batchSize = batchSize;
    }

    protected NDManager manager() {
        return manager;
    }

    /** One decoded image → the network input [C, S, S] (resized and normalised). */
    protected abstract Planes preprocess(RgbImage image);

    /** A batch [B, C, S, S] → features [B, dim()], in the batch's manager. */
    protected abstract NDArray forward(NDArray batch);

    /** Called after every batch with (images done, images asked for). */
    public void onProgress(BiConsumer<Integer, Integer> listener) {
        this.progress = listener;
    }

    /** Seconds per image so far: decoding and preprocessing, and the network. */
    public double preprocessSecondsPerImage() {
        return imagesDone == 0 ? 0 : preprocessNanos / 1e9 / imagesDone;
    }

    public double forwardSecondsPerImage() {
        return imagesDone == 0 ? 0 : forwardNanos / 1e9 / imagesDone;
    }

    @Override
    public FeatureMatrix extract(List<Path> images) throws IOException {
        return run(images.size(), i -> ImageDecoder.read(images.get(i)));
    }

    /** Features of images already in memory, in order. */
    public FeatureMatrix extractImages(List<RgbImage> images) {
        return run(images.size(), images::get);
    }

    private interface Source {
        RgbImage get(int index);
    }

    private FeatureMatrix run(int count, Source source) {
        int dim = dim();
        float[] out = new float[count * dim];
        for (int first = 0; first < count; first += batchSize) {
            int n = Math.min(batchSize, count - first);
            long t0 = System.nanoTime();
            List<Planes> inputs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                inputs.add(preprocess(source.get(first + i)));
            }
            Planes p = inputs.get(0);
            float[] batch = new float[n * p.data().length];
            for (int i = 0; i < n; i++) {
                System.arraycopy(inputs.get(i).data(), 0, batch, i * p.data().length, p.data().length);
            }
            long t1 = System.nanoTime();
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = scope.create(batch, new Shape(n, p.channels(), p.height(), p.width()));
                float[] rows = forward(x).toFloatArray();
                if (rows.length != n * dim) {
                    throw new IllegalStateException(name() + " gave " + rows.length + " values for " + n + " images of dim " + dim);
                }
                System.arraycopy(rows, 0, out, first * dim, rows.length);
            }
            long t2 = System.nanoTime();
            preprocessNanos += t1 - t0;
            forwardNanos += t2 - t1;
            imagesDone += n;
            progress.accept(first + n, count);
        }
        return new FeatureMatrix(count, dim, out);
    }

    @Override
    public void close() {
        manager.close();
    }
}
