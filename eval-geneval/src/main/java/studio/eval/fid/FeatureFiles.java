package studio.eval.fid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import studio.core.BadInputException;
import studio.core.safetensors.DType;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;
import studio.core.safetensors.TensorInfo;

/**
 * Feature matrices in safetensors: one tensor {@code features} of shape {@code [N, D]} (F32, F64, F16 or
 * BF16), one row per image, as {@code studio eval fd} reads them and as features computed elsewhere
 * (clean-fid, torchmetrics, dgm-eval activations saved from numpy) can be written.
 */
public final class FeatureFiles {
    public static final String TENSOR = "features";
    /** Rows per mapped window when streaming F32/F64 features. */
    private static final int WINDOW_ROWS = 4096;

    private FeatureFiles() {}

    /** Mean and covariance of the file's rows, streamed (the matrix is never held whole for F32/F64). */
    public static GaussianStats statistics(Path file) throws IOException {
        try (SafeTensors st = open(file)) {
            TensorInfo info = checkedInfo(st, file);
            int rows = (int) info.shape()[0];
            int cols = (int) info.shape()[1];
            MomentAccumulator acc = new MomentAccumulator(cols);
            if (info.dtype() == DType.F32 || info.dtype() == DType.F64) {
                streamRows(st, info, file, acc);
            } else {
                float[] values = st.readFloats(TENSOR);
                for (int r = 0; r < rows; r++) {
                    requireFinite(values, r * cols, cols, file, r);
                    acc.add(values, r * cols);
                }
            }
            return acc.stats();
        }
    }

    private static void streamRows(SafeTensors st, TensorInfo info, Path file, MomentAccumulator acc) {
        int rows = (int) info.shape()[0];
        int cols = (int) info.shape()[1];
        int bytes = info.dtype() == DType.F32 ? 4 : 8;
        double[] row = new double[cols];
        for (int first = 0; first < rows; first += WINDOW_ROWS) {
            int count = Math.min(WINDOW_ROWS, rows - first);
            ByteBuffer window = st.data(TENSOR, (long) first * cols * bytes, count * cols * bytes);
            for (int r = 0; r < count; r++) {
                for (int c = 0; c < cols; c++) {
                    row[c] = bytes == 4 ? window.getFloat() : window.getDouble();
                }
                requireFinite(row, cols, file, first + r);
                acc.add(row, 0);
            }
        }
    }

    /** The whole matrix as float32. */
    public static FeatureMatrix read(Path file) throws IOException {
        try (SafeTensors st = open(file)) {
            TensorInfo info = checkedInfo(st, file);
            int rows = (int) info.shape()[0];
            int cols = (int) info.shape()[1];
            float[] values = st.readFloats(TENSOR);
            for (int r = 0; r < rows; r++) {
                requireFinite(values, r * cols, cols, file, r);
            }
            return new FeatureMatrix(rows, cols, values);
        }
    }

    public static void write(Path file, FeatureMatrix features, Map<String, String> metadata) throws IOException {
        new SafeTensorsWriter().metadata(metadata)
                .addF32(TENSOR, new long[] {features.rows(), features.cols()}, features.values())
                .write(file);
    }

    private static SafeTensors open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file.toString(), "no such feature file");
        }
        return SafeTensors.open(file);
    }

    private static TensorInfo checkedInfo(SafeTensors st, Path file) {
        if (!st.contains(TENSOR)) {
            throw new BadInputException(file.toString(), "no tensor \"" + TENSOR + "\"; expected " + TENSOR + " [N, D]");
        }
        TensorInfo info = st.info(TENSOR);
        DType dtype = info.dtype();
        if (dtype != DType.F32 && dtype != DType.F64 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new BadInputException(file.toString(), "tensor \"" + TENSOR + "\" is " + dtype + "; expected F32, F64, F16 or BF16");
        }
        long[] shape = info.shape();
        if (shape.length != 2 || shape[0] < 2 || shape[1] < 1 || shape[0] > Integer.MAX_VALUE
                || shape[1] > Integer.MAX_VALUE || shape[0] * shape[1] > Integer.MAX_VALUE) {
            throw new BadInputException(file.toString(), "tensor \"" + TENSOR + "\" has shape " + info.shapeText()
                    + "; expected [N, D] with N >= 2 (a covariance needs two samples)");
        }
        return info;
    }

    private static void requireFinite(float[] values, int offset, int cols, Path file, int row) {
        for (int c = 0; c < cols; c++) {
            if (!Float.isFinite(values[offset + c])) {
                throw nonFinite(file, row, c, values[offset + c]);
            }
        }
    }

    private static void requireFinite(double[] values, int cols, Path file, int row) {
        for (int c = 0; c < cols; c++) {
            if (!Double.isFinite(values[c])) {
                throw nonFinite(file, row, c, values[c]);
            }
        }
    }

    private static BadInputException nonFinite(Path file, int row, int col, double value) {
        return new BadInputException(file.toString(), String.format(Locale.ROOT,
                "features[%d, %d] is %s; features must be finite", row, col, value));
    }
}
