package studio.eval.features.inception;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.ops.Ops;
import studio.core.safetensors.SafeTensors;
import studio.core.weights.LoadReport;
import studio.core.weights.Weights;
import studio.diffusion.nn.Params;

/**
 * The FID network up to pool3 (2048-d): pytorch-fid's {@code fid_inception_v3()} (src/pytorch_fid/inception.py) — a
 * port of the TF graph {@code inception-2015-12-05} — i.e. torchvision's Inception3 with the FID blocks
 * (Mixed_5b..5d {@link InceptionA}, Mixed_6b..6e {@link InceptionC}, Mixed_7b/7c {@link InceptionE} with average /
 * max pooling), read in pytorch-fid's {@code InceptionV3} block order (block 0: Conv2d_1a..2b, max pool; block 1:
 * Conv2d_3b, 4a, max pool; block 2: Mixed_5b..6e; block 3: Mixed_7a..7c, global average pool).
 *
 * <p>Keys are torchvision's ({@code Conv2d_1a_3x3.conv.weight}, {@code Mixed_5b.branch1x1.bn.running_mean}, ...),
 * so the weights are pytorch-fid's {@code pt_inception-2015-12-05-6726825d.pth} state dict saved as safetensors.
 * Its {@code fc.*} (the 1008-class head, unused by pool3) and BatchNorm {@code num_batches_tracked} counters
 * are expected and ignored; anything else missing, mis-shaped or unused is reported by the strict load.
 * The input is the normalised image batch [B, 3, 299, 299]; resizing and normalisation are the caller's
 * (pytorch-fid: bilinear to 299 and 2x − 1; clean-fid: PIL bicubic and (x − 128) / 128).
 */
public final class FidInceptionV3 implements AutoCloseable {
    /** pool3 feature dimension. */
    public static final int DIM = 2048;
    /** The input side the network was trained at (and pytorch-fid resizes to). */
    public static final int SIZE = 299;

    private final NDManager manager;
    private final LoadReport report;
    private final BasicConv2d conv2d1a3x3; // Conv2d_1a_3x3: 3 → 32, 3×3 stride 2     [B, 32, 149, 149]
    private final BasicConv2d conv2d2a3x3; // Conv2d_2a_3x3: 32 → 32, 3×3             [B, 32, 147, 147]
    private final BasicConv2d conv2d2b3x3; // Conv2d_2b_3x3: 32 → 64, 3×3 pad 1       [B, 64, 147, 147] → pool [73, 73]
    private final BasicConv2d conv2d3b1x1; // Conv2d_3b_1x1: 64 → 80                   [B, 80, 73, 73]
    private final BasicConv2d conv2d4a3x3; // Conv2d_4a_3x3: 80 → 192, 3×3             [B, 192, 71, 71] → pool [35, 35]
    private final InceptionA mixed5b; // Mixed_5b: 192 → 256                             [B, 256, 35, 35]
    private final InceptionA mixed5c; // Mixed_5c: 256 → 288
    private final InceptionA mixed5d; // Mixed_5d: 288 → 288
    private final InceptionB mixed6a; // Mixed_6a: 288 → 768                             [B, 768, 17, 17]
    private final InceptionC mixed6b; // Mixed_6b: c7 128
    private final InceptionC mixed6c; // Mixed_6c: c7 160
    private final InceptionC mixed6d; // Mixed_6d: c7 160
    private final InceptionC mixed6e; // Mixed_6e: c7 192
    private final InceptionD mixed7a; // Mixed_7a: 768 → 1280                            [B, 1280, 8, 8]
    private final InceptionE mixed7b; // Mixed_7b: 1280 → 2048, average pool
    private final InceptionE mixed7c; // Mixed_7c: 2048 → 2048, max pool                 [B, 2048, 8, 8]

    /** {@code checkpoint}: the strict view {@code w} reads, finished (and reported) after the last key; null for tests. */
    private FidInceptionV3(Params w, NDManager manager, Weights checkpoint) {
        this.manager = manager;
        conv2d1a3x3 = new BasicConv2d(w.pp("Conv2d_1a_3x3"), 3, 32, 3, 2, 0);
        conv2d2a3x3 = new BasicConv2d(w.pp("Conv2d_2a_3x3"), 32, 32, 3, 1, 0);
        conv2d2b3x3 = new BasicConv2d(w.pp("Conv2d_2b_3x3"), 32, 64, 3, 1, 1);
        conv2d3b1x1 = new BasicConv2d(w.pp("Conv2d_3b_1x1"), 64, 80, 1, 1, 0);
        conv2d4a3x3 = new BasicConv2d(w.pp("Conv2d_4a_3x3"), 80, 192, 3, 1, 0);
        mixed5b = new InceptionA(w.pp("Mixed_5b"), 192, 32);
        mixed5c = new InceptionA(w.pp("Mixed_5c"), 256, 64);
        mixed5d = new InceptionA(w.pp("Mixed_5d"), 288, 64);
        mixed6a = new InceptionB(w.pp("Mixed_6a"), 288);
        mixed6b = new InceptionC(w.pp("Mixed_6b"), 768, 128);
        mixed6c = new InceptionC(w.pp("Mixed_6c"), 768, 160);
        mixed6d = new InceptionC(w.pp("Mixed_6d"), 768, 160);
        mixed6e = new InceptionC(w.pp("Mixed_6e"), 768, 192);
        mixed7a = new InceptionD(w.pp("Mixed_7a"), 768);
        mixed7b = new InceptionE(w.pp("Mixed_7b"), 1280, InceptionE.Pool.AVERAGE_WITHOUT_PADDING);
        mixed7c = new InceptionE(w.pp("Mixed_7c"), 2048, InceptionE.Pool.MAX);
        report = checkpoint == null ? LoadReport.random() : checkpoint.finishLoad();
    }

    /** Built from any {@link Params} (tests); the model does not own {@code manager}. */
    public static FidInceptionV3 of(Params w) {
        return new FidInceptionV3(w, null, null);
    }

    /** Loads a safetensors file in fp32, strictly; the model owns a child of {@code parent} holding the weights. */
    public static FidInceptionV3 load(Path file, NDManager parent) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file.toString(), "no such Inception weights file (safetensors of pytorch-fid's "
                    + "pt_inception-2015-12-05 state dict; see eval-geneval/README.md)");
        }
        NDManager manager = parent.newSubManager();
        try (SafeTensors st = SafeTensors.open(file)) {
            Weights w = Weights.of(st, manager, Precision.F32)
                    .ignoreUnused("fc\\.(weight|bias)")
                    .ignoreUnused(".*\\.num_batches_tracked");
            return new FidInceptionV3(Params.of(w), manager, w);
        } catch (RuntimeException | IOException e) {
            manager.close();
            throw e;
        }
    }

    public LoadReport loadReport() {
        return report;
    }

    /** x [B, 3, H, W] normalised (H, W ≥ 75; 299 for FID) → pool3 [B, 2048]. Results land in x's manager. */
    public NDArray pool3(NDArray x) {
        NDArray h = conv2d2b3x3.forward(conv2d2a3x3.forward(conv2d1a3x3.forward(x)));
        h = Ops.maxPool2d(h, 3, 2, 0);
        h = conv2d4a3x3.forward(conv2d3b1x1.forward(h));
        h = Ops.maxPool2d(h, 3, 2, 0);
        h = mixed5d.forward(mixed5c.forward(mixed5b.forward(h)));
        h = mixed6a.forward(h);
        h = mixed6e.forward(mixed6d.forward(mixed6c.forward(mixed6b.forward(h))));
        h = mixed7c.forward(mixed7b.forward(mixed7a.forward(h)));
        return h.reshape(h.getShape().get(0), DIM, -1).mean(new int[] {2}); // adaptive_avg_pool2d to 1×1, flattened
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
