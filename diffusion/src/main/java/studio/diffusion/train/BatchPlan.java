package studio.diffusion.train;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import studio.core.train.Rng;

/**
 * The order of batches, a pure function of (seed, epoch): the items are shuffled with {@code Rng.of(seed,
 * 1000 + epoch)}, then dealt into per-bucket batches of {@code batchSize} in shuffled order; an epoch's
 * incomplete batches come last, one per bucket (as a DataLoader without drop_last). A resume needs only
 * (epoch, batches consumed), which {@code TrainState} stores.
 */
public final class BatchPlan {
    private final int[] bucketOf;
    private final int batchSize;
    private final long seed;

    /** @param bucketOf the bucket index of each item */
    public BatchPlan(int[] bucketOf, int batchSize, long seed) {
        if (bucketOf.length == 0) {
            throw new studio.core.BadInputException("data", "no usable training samples");
        }
        this.bucketOf = bucketOf.clone();
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** The batches of {@code epoch}: item indices, each batch within one bucket. */
    public List<int[]> epoch(int epoch) {
        int[] order = Rng.of(seed, 1000L + epoch).permutation(bucketOf.length);
        TreeMap<Integer, List<Integer>> pending = new TreeMap<>();
        List<int[]> out = new ArrayList<>();
        for (int item : order) {
            List<Integer> p = pending.computeIfAbsent(bucketOf[item], b -> new ArrayList<>());
            p.add(item);
            if (p.size() == batchSize) {
                out.add(p.stream().mapToInt(Integer::intValue).toArray());
                p.clear();
            }
        }
        pending.values().stream().filter(p -> !p.isEmpty())
                .forEach(p -> out.add(p.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }
}
