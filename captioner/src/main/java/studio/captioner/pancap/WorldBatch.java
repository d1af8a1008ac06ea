package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import studio.core.data.DataPng;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.SegmentInfo;
import studio.core.data.world.WorldSample;

/**
 * One training batch of world samples as tensors (K = most segments in the batch, T = longest caption − 1):
 * image [B, 3, H, W]; ground-truth masks [B, K, H·W], class one-hots [B, K, C+1], valid [B, K] (boolean),
 * geometry [B, K, 5]; caption inputs [B, T] (int64) and targets [B, T] (int, for the one-hots below),
 * token one-hots [B, T, V] with a mask [B, T]; pointer inputs [B, T, K] (the slot a {@code <ptr>} input
 * points at) and pointer targets [B, T, K] (the slot of a {@code <ptr>} target) with a mask [B, T].
 * The ground truth's segments are in id order, so slot i is segment id i + 1 = tag i.
 */
record WorldBatch(NDArray image, NDArray masks, NDArray classes, NDArray valid, NDArray geometry, int[] counts,
                  NDArray tokens, NDArray targets, NDArray tokenMask, NDArray pointedIn, NDArray pointerTargets,
                  NDArray pointerMask) {

    /** Decodes the samples and builds the tensors in {@code m}. */
    static WorldBatch of(List<WorldSample> samples, PancaperConfig c, Vocabulary vocab, NDManager m) {
        int b = samples.size();
        int s = c.imageSize();
        int hw = s * s;
        List<Decoded> decoded = new ArrayList<>();
        for (WorldSample w : samples) {
            decoded.add(Decoded.of(w, c, vocab));
        }
        int k = decoded.stream().mapToInt(d -> d.classIndex.length).max().orElse(1);
        int t = decoded.stream().mapToInt(d -> d.tokens.ids().length - 1).max().orElse(1);
        int v = vocab.size();
        float[] image = new float[b * 3 * hw];
        float[] masks = new float[b * k * hw];
        float[] classes = new float[b * k * (c.classes() + 1)];
        boolean[] valid = new boolean[b * k];
        float[] geometry = new float[b * k * SegmentPooling.GEOMETRY];
        int[] counts = new int[b];
        long[] tokens = new long[b * t];
        float[] targets = new float[b * t * v];
        float[] tokenMask = new float[b * t];
        float[] pointedIn = new float[b * t * k];
        float[] pointerTargets = new float[b * t * k];
        float[] pointerMask = new float[b * t];
        for (int i = 0; i < b; i++) {
            Decoded d = decoded.get(i);
            System.arraycopy(d.pixels, 0, image, i * 3 * hw, 3 * hw);
            counts[i] = d.classIndex.length;
            for (int j = 0; j < d.classIndex.length; j++) {
                boolean[] mask = new boolean[hw];
                for (int p = 0; p < hw; p++) {
                    mask[p] = d.slotOfPixel[p] == j;
                    masks[(i * k + j) * hw + p] = mask[p] ? 1f : 0f;
                }
                classes[(i * k + j) * (c.classes() + 1) + d.classIndex[j]] = 1f;
                valid[i * k + j] = true;
                System.arraycopy(SegmentPooling.geometry(mask, s), 0, geometry, (i * k + j) * SegmentPooling.GEOMETRY, SegmentPooling.GEOMETRY);
            }
            int[] ids = d.tokens.ids();
            int[] ptr = d.tokens.pointers();
            for (int q = 0; q + 1 < ids.length; q++) {
                int at = i * t + q;
                tokens[at] = ids[q];
                targets[at * v + ids[q + 1]] = 1f;
                tokenMask[at] = 1f;
                if (ptr[q] >= 0) {
                    pointedIn[at * k + d.slotOfTag(ptr[q])] = 1f;
                }
                if (ptr[q + 1] >= 0) {
                    pointerTargets[at * k + d.slotOfTag(ptr[q + 1])] = 1f;
                    pointerMask[at] = 1f;
                }
            }
        }
        return new WorldBatch(m.create(image, new Shape(b, 3, s, s)), m.create(masks, new Shape(b, k, hw)),
                m.create(classes, new Shape(b, k, c.classes() + 1)), m.create(valid, new Shape(b, k)),
                m.create(geometry, new Shape(b, k, SegmentPooling.GEOMETRY)), counts, m.create(tokens, new Shape(b, t)),
                m.create(targets, new Shape(b, t, v)), m.create(tokenMask, new Shape(b, t)),
                m.create(pointedIn, new Shape(b, t, k)), m.create(pointerTargets, new Shape(b, t, k)),
                m.create(pointerMask, new Shape(b, t)));
    }

    /** One sample: normalised pixels, slot of every pixel (-1 void), class index per slot, caption tokens. */
    private record Decoded(float[] pixels, int[] slotOfPixel, int[] classIndex, Map<Long, Integer> slotOfId,
                           Vocabulary.Tokens tokens) {
        static Decoded of(WorldSample w, PancaperConfig c, Vocabulary vocab) {
            var image = DataPng.decode(w.imagePng(), w.fileName());
            IdMask mask = IdMask.fromRgb(DataPng.decode(w.maskPng(), w.fileName()));
            Map<Long, Integer> slotOfId = new TreeMap<>();
            List<SegmentInfo> segs = new ArrayList<>(w.annotation().segments());
            segs.sort(java.util.Comparator.comparingLong(SegmentInfo::id));
            int[] classIndex = new int[segs.size()];
            for (int j = 0; j < segs.size(); j++) {
                slotOfId.put(segs.get(j).id(), j);
                classIndex[j] = WorldBatch.classIndex(c, segs.get(j).categoryId());
            }
            int[] slot = new int[mask.ids().length];
            for (int p = 0; p < slot.length; p++) {
                slot[p] = slotOfId.getOrDefault((long) mask.ids()[p], -1);
            }
            return new Decoded(PanCaper.pixels(image), slot, classIndex, slotOfId, vocab.encode(w.caption(), c.maxTokens()));
        }

        int slotOfTag(int tag) {
            Integer slot = slotOfId.get(tag + 1L);
            if (slot == null) {
                throw new IllegalStateException("caption tag " + tag + " names no segment");
            }
            return slot;
        }
    }

    static int classIndex(PancaperConfig c, int categoryId) {
        List<Category> cats = c.categories();
        for (int i = 0; i < cats.size(); i++) {
            if (cats.get(i).id() == categoryId) {
                return i;
            }
        }
        throw new IllegalArgumentException("category " + categoryId + " is not one of the model's");
    }

}
