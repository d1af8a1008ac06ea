package studio.eval.features.dinov2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;
import studio.eval.features.Planes;
import studio.eval.features.TorchResize;

/**
 * {@code embeddings}: patch projection (Conv2d, kernel = stride = patch, with bias), the CLS token in front, position
 * embeddings added. When the input grid differs from the stored one (ViT-L/14: 37² positions for 518 px; FD-DINOv2
 * feeds 224 px, a 16² grid), the patch positions are resampled as the torch.hub DINOv2 that dgm-eval loads does
 * ({@code dinov2/models/vision_transformer.py::interpolate_pos_encoding}, {@code interpolate_offset} 0.1,
 * no antialias): {@code F.interpolate(grid, mode="bicubic", scale_factor=((g + 0.1) / M, (g + 0.1) / M))}, whose
 * sampling step is {@code M / (g + 0.1)}, not {@code M / g} (the "historical kludge" kept for compatibility).
 * The resampled table is computed once per grid size, in Java ({@link TorchResize#bicubic}).
 */
final class Dinov2Embeddings {
    private final Dinov2Config config;
    private final NDArray clsToken; // cls_token [1, 1, D]
    @SuppressWarnings("unused")
    private final NDArray maskToken; // mask_token [1, D]: masked-image pretraining only; loaded so the file is used whole
    private final NDArray positionEmbeddings; // position_embeddings [1, M² + 1, D]
    private final NDArray projectionWeight; // patch_embeddings.projection.weight [D, C, p, p]
    private final NDArray projectionBias; // patch_embeddings.projection.bias [D]
    private final Map<Integer, NDArray> resampled = new HashMap<>();

    Dinov2Embeddings(Params w, Dinov2Config c) {
        config = c;
        long d = c.hiddenSize();
        int m = c.grid();
        clsToken = w.get("cls_token", 1, 1, d);
        maskToken = w.get("mask_token", 1, d);
        positionEmbeddings = w.get("position_embeddings", 1, (long) m * m + 1, d);
        projectionWeight = w.get("patch_embeddings.projection.weight", d, c.numChannels(), c.patchSize(), c.patchSize());
        projectionBias = w.get("patch_embeddings.projection.bias", d);
    }

    /** pixels [B, C, S, S] (S a multiple of the patch) → tokens [B, 1 + g², D], g = S / patch. */
    NDArray forward(NDArray pixels) {
        long b = pixels.getShape().get(0);
        int p = config.patchSize();
        long d = config.hiddenSize();
        int g = (int) (pixels.getShape().get(2) / p);
        NDArray patches = Ops.conv2d(pixels, projectionWeight, projectionBias, new int[] {p, p}, new int[] {0, 0}); // [B, D, g, g]
        NDArray tokens = patches.reshape(b, d, -1).transpose(0, 2, 1); // [B, g², D]
        NDArray cls = clsToken.broadcast(new Shape(b, 1, d));
        cls.attach(pixels.getManager()); // a view of the weight lands in the weights' manager: move it to the activations'
        return NDArrays.concat(new NDList(cls, tokens), 1).add(positions(g));
    }

    /** The position table for a g × g grid [1, 1 + g², D]: stored when g = M, resampled otherwise. */
    private synchronized NDArray positions(int g) {
        int m = config.grid();
        if (g == m) {
            return positionEmbeddings;
        }
        return resampled.computeIfAbsent(g, size -> {
            int d = config.hiddenSize();
            float[] table = positionEmbeddings.toFloatArray(); // [M² + 1, D], row 0 the CLS position
            float[] grid = new float[d * m * m]; // [D, M, M]
            for (int pos = 0; pos < m * m; pos++) {
                for (int c = 0; c < d; c++) {
                    grid[c * m * m + pos] = table[(pos + 1) * d + c];
                }
            }
            double factor = (size + 0.1) / m;
            int out = (int) Math.floor(m * factor); // torch's output size for a scale factor: floor(M · factor) = g
            float[] r = TorchResize.bicubic(new Planes(d, m, m, grid), out, out, factor, factor).data(); // [D, g, g]
            float[] result = new float[(out * out + 1) * d];
            System.arraycopy(table, 0, result, 0, d);
            for (int pos = 0; pos < out * out; pos++) {
                for (int c = 0; c < d; c++) {
                    result[(pos + 1) * d + c] = r[c * out * out + pos];
                }
            }
            NDManager owner = positionEmbeddings.getManager();
            return owner.create(result, new Shape(1, (long) out * out + 1, d));
        });
    }
}
