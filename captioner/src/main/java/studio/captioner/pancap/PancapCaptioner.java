package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import studio.captioner.Captioner;
import studio.captioner.GroundedResult;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.MaskGeometry;
import studio.core.device.Torch;
import studio.core.image.ImageResizer;
import studio.core.image.ResizeFilter;
import studio.core.image.RgbImage;

/**
 * The tiny PanCaper behind the {@link Captioner} boundary: Mask2Former panoptic inference
 * ({@link PanopticInference}, with the thresholds stored in the model's config), then greedy decoding of the grounded caption over the predicted segments,
 * then phrase → class alignment ({@link PhraseAligner}): a tag whose phrase names another class than the
 * segment it points at is moved to the segment of that class the pointer scored highest, if there is one.
 * Slot i of the caption decoder is segment id i + 1, so a pointer to slot i is tag i (TagConvention).
 * An image of another size is resized (bilinear) to the model's and its id mask back (nearest).
 */
public final class PancapCaptioner implements Captioner {
    /** Below this cosine a phrase is not taken to name a class. */
    static final double ALIGN_MIN_COSINE = 0.5;

    private final String name;
    private final NDManager manager;
    private final PanCaper model;
    private final PhraseAligner aligner;
    private final boolean[] isThing;

    public PancapCaptioner(String name, NDManager manager, PanCaper model) {
        this.name = name;
        this.manager = manager;
        this.model = model;
        List<Category> cats = model.config().categories();
        this.aligner = new PhraseAligner(cats.stream().map(Category::name).toList());
        this.isThing = new boolean[cats.size()];
        for (int i = 0; i < cats.size(); i++) {
            isThing[i] = cats.get(i).thing();
        }
    }

    /** Loads the model folder (config.json + model.safetensors) on the CPU. */
    public static PancapCaptioner open(String name, Path folder) throws IOException {
        NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), Torch.engine().getEngineName());
        try {
            return new PancapCaptioner(name, m, PanCaper.load(folder, m));
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    public PanCaper model() {
        return model;
    }

    @Override
    public GroundedResult caption(RgbImage image) {
        int s = model.config().imageSize();
        RgbImage in = modelSized(image);
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(PanCaper.pixels(in), new Shape(1, 3, s, s));
            PanCaper.Segmentation seg = model.segment(x);
            PanopticInference.Result r = panoptic(seg);
            String caption = r.segments().isEmpty() ? "" : caption(scope, seg, x, r);
            return result(image, r, caption);
        }
    }

    /** Panoptic inference without the caption decoder: the same segments as {@link #caption}, caption "". */
    @Override
    public GroundedResult segment(RgbImage image) {
        return result(image, panoptic(modelSized(image)), "");
    }

    private RgbImage modelSized(RgbImage image) {
        int s = model.config().imageSize();
        return image.width() == s && image.height() == s ? image : ImageResizer.resize(image, s, s, ResizeFilter.BILINEAR);
    }

    /** Segmentation only, of an image of the model's size (for PQ during training). */
    public PanopticInference.Result panoptic(RgbImage image) {
        int s = model.config().imageSize();
        try (NDManager scope = manager.newSubManager()) {
            return panoptic(model.segment(scope.create(PanCaper.pixels(image), new Shape(1, 3, s, s))));
        }
    }

    private PanopticInference.Result panoptic(PanCaper.Segmentation seg) {
        QueryDecoder.Prediction p = seg.last();
        int n = model.config().queries();
        float[][] probs = rows(p.classLogits().softmax(-1).toFloatArray(), n);
        float[][] masks = rows(Activation.sigmoid(p.maskLogits()).toFloatArray(), n);
        return PanopticInference.run(probs, masks, isThing, model.config().objectThreshold(), model.config().overlapThreshold());
    }

    /** Greedy decoding over the segments of {@code r}, then alignment; returns the tagged caption. */
    private String caption(NDManager scope, PanCaper.Segmentation seg, NDArray x, PanopticInference.Result r) {
        int s = model.config().imageSize();
        List<PanopticInference.Segment> segs = r.segments();
        int k = segs.size();
        int c = model.config().classes();
        float[] masks = new float[k * s * s];
        float[] geometry = new float[k * SegmentPooling.GEOMETRY];
        float[] classes = new float[k * (c + 1)];
        for (int i = 0; i < k; i++) {
            boolean[] m = segs.get(i).mask();
            for (int q = 0; q < m.length; q++) {
                masks[i * s * s + q] = m[q] ? 1f : 0f;
            }
            System.arraycopy(SegmentPooling.geometry(m, s), 0, geometry, i * SegmentPooling.GEOMETRY, SegmentPooling.GEOMETRY);
            classes[i * (c + 1) + segs.get(i).classIndex()] = 1f;
        }
        NDArray pooled = SegmentPooling.pool(scope.create(masks, new Shape(1, k, (long) s * s)), seg.features().pixels(),
                x.reshape(1, 3, (long) s * s), scope.create(geometry, new Shape(1, k, SegmentPooling.GEOMETRY)));
        NDArray slots = model.captionDecoder.segments(pooled, scope.create(classes, new Shape(1, k, c + 1)));
        NDArray valid = scope.ones(new Shape(1, k), DataType.BOOLEAN);
        Greedy g = Greedy.run(model.captionDecoder, model.config().maxTokens(), slots, valid, k);
        align(g, segs);
        return model.vocabulary().decode(g.ids(), g.tags());
    }

    /** Moves each tag to the segment its phrase names (by cosine class alignment), when that class was segmented. */
    private void align(Greedy g, List<PanopticInference.Segment> segs) {
        int[] ids = g.ids();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != Vocabulary.PTR_ID || (i > 0 && ids[i - 1] == Vocabulary.PTR_ID)) {
                continue;
            }
            int end = i;
            while (end < ids.length && ids[end] == Vocabulary.PTR_ID) {
                end++;
            }
            StringBuilder phrase = new StringBuilder();
            for (int j = end; j < ids.length && ids[j] != Vocabulary.CLOSE_ID && ids[j] != Vocabulary.EOS_ID; j++) {
                phrase.append(model.vocabulary().word(ids[j])).append(' ');
            }
            double[] a = aligner.align(phrase.toString());
            if (a[1] < ALIGN_MIN_COSINE) {
                continue;
            }
            for (int j = i; j < end; j++) {
                g.tags()[j] = realign(g, j, (int) a[0], segs);
            }
        }
    }

    private static int realign(Greedy g, int position, int cls, List<PanopticInference.Segment> segs) {
        int current = g.tags()[position];
        if (segs.get(current).classIndex() == cls) {
            return current;
        }
        float[] scores = g.pointerScores().get(position);
        int best = current;
        float bestScore = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < segs.size(); k++) {
            if (segs.get(k).classIndex() == cls && scores[k] > bestScore) {
                bestScore = scores[k];
                best = k;
            }
        }
        return best;
    }

    private GroundedResult result(RgbImage image, PanopticInference.Result r, String caption) {
        int s = model.config().imageSize();
        IdMask mask = new IdMask(s, s, r.ids());
        if (image.width() != s || image.height() != s) {
            RgbImage up = ImageResizer.resize(mask.toRgb(), image.width(), image.height(), ResizeFilter.NEAREST);
            mask = IdMask.fromRgb(up);
        }
        List<GroundedResult.Segment> out = new ArrayList<>();
        for (MaskGeometry geom : mask.geometry()) {
            PanopticInference.Segment seg = r.segments().get((int) geom.id() - 1);
            Category cat = model.config().categories().get(seg.classIndex());
            out.add(new GroundedResult.Segment(geom.id(), cat.id(), cat.name(), cat.thing(), seg.score(), geom.area(), geom.bbox()));
        }
        return new GroundedResult(mask, out, caption, model.categoriesById());
    }

    private static float[][] rows(float[] flat, int n) {
        int w = flat.length / n;
        float[][] out = new float[n][w];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * w, out[i], 0, w);
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
