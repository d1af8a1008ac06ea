package studio.eval.fid;

/** Features of a set of images: {@code rows} samples × {@code cols} dims, row-major float32. */
public record FeatureMatrix(int rows, int cols, float[] values) {
    public FeatureMatrix {
        if (rows < 0 || cols < 1 || (long) rows * cols != values.length) {
            throw new IllegalArgumentException("features [" + rows + ", " + cols + "] need " + (long) rows * cols
                    + " values, got " + values.length);
        }
    }

    public GaussianStats stats() {
        return GaussianStats.of(rows, cols, values);
    }
}
