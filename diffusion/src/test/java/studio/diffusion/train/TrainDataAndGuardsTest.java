package studio.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.data.DataPng;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensors;
import studio.core.train.Checkpoints;
import studio.core.train.MetricsLog;
import studio.core.train.NonFiniteLossException;
import studio.core.train.Progress;
import studio.core.train.Rng;
import studio.core.train.TrainState;

/** Caches, bad samples, aspect buckets, caption modes, the NaN guard and the validation hook on tiny runs. */
class TrainDataAndGuardsTest {
    @TempDir
    Path dir;

    private static RgbImage noise(int w, int h, long seed) {
        Rng r = new Rng(seed);
        byte[] rgb = new byte[3 * w * h];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) r.nextInt(256);
        }
        return new RgbImage(w, h, rgb);
    }

    /** A kohya folder: two wide (64×32), two square (32×32), optionally a pure red one, and one corrupt PNG. */
    private Path kohya(boolean red) throws Exception {
        Path d = Files.createDirectories(dir.resolve(red ? "kohya-red" : "kohya"));
        String[] captions = {"a wide blue field", "a wide green field", "a square cat", "a square dog"};
        for (int i = 0; i < 4; i++) {
            DataPng.write(d.resolve("img" + i + ".png"), noise(i < 2 ? 64 : 32, 32, i));
            Files.writeString(d.resolve("img" + i + ".txt"), captions[i]);
        }
        if (red) {
            DataPng.write(d.resolve("red.png"), RgbImage.filled(32, 32, 255, 0, 0));
            Files.writeString(d.resolve("red.txt"), "a red square");
        }
        Files.write(d.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Files.writeString(d.resolve("broken.txt"), "never read");
        return d;
    }

    @Test
    void secondRunHitsTheCacheAndTheBadSampleIsSkippedAndCounted() throws Exception {
        Path data = kohya(false);
        Path cache = dir.resolve("shared-cache");
        TrainConfig first = TinyRuns.config(data, dir.resolve("run1"), "steps=2", "encoders.cache_dir=" + cache);
        DiffusionTrainer.Result a = TinyRuns.run(first, false);
        assertEquals(1, a.skipped());
        assertEquals(0, a.cacheHits());
        assertEquals(4 + 4 + 1, a.cacheMisses()); // 4 latents, 4 captions, the empty prompt
        DiffusionTrainer.Result b = TinyRuns.run(TinyRuns.config(data, dir.resolve("run2"), "steps=2",
                "encoders.cache_dir=" + cache), false);
        assertEquals(9, b.cacheHits());
        assertEquals(0, b.cacheMisses());
        assertEquals(TinyRuns.losses(a.runDir()), TinyRuns.losses(b.runDir()), "cached features train identically");
        // Another text setting is another key: the latents hit, the text misses.
        DiffusionTrainer.Result c = TinyRuns.run(TinyRuns.config(data, dir.resolve("run3"), "steps=1",
                "encoders.cache_dir=" + cache, "encoders.text_tokens=6"), false);
        assertEquals(4, c.cacheHits());
        assertEquals(5, c.cacheMisses());
    }

    @Test
    void wideAndSquareImagesGoToTheirBuckets() throws Exception {
        Buckets b = Buckets.of(32, 16, true);
        assertTrue(b.sizes().stream().allMatch(s -> s.width() % 16 == 0 && s.height() % 16 == 0
                && (long) s.width() * s.height() <= 32 * 32), b.sizes().toString());
        assertEquals(new Buckets.Size(32, 32), b.bucketFor(500, 500));
        assertEquals(new Buckets.Size(48, 16), b.bucketFor(64, 32));
        assertEquals(new Buckets.Size(16, 48), b.bucketFor(32, 64));
        assertEquals(List.of(new Buckets.Size(32, 32)), Buckets.of(32, 16, false).sizes());
        TrainData data = TrainData.prepare(kohya(false), b, new PixelLatents(4, 8), new HashedWords(8, 32, 32),
                new FeatureCache(dir.resolve("c")), List.of(), s -> { });
        Set<String> shapes = data.items().stream().map(i -> i.latentShape()[1] + "x" + i.latentShape()[2])
                .collect(Collectors.toSet());
        assertEquals(Set.of("2x6", "4x4"), shapes); // [C, h, w]: 48×16 and 32×32 pixels over 8
        for (int[] batch : new BatchPlan(data.items().stream().mapToInt(TrainData.Item::bucket).toArray(), 2, 3).epoch(0)) {
            assertEquals(1, java.util.Arrays.stream(batch).map(i -> data.items().get(i).bucket()).distinct().count());
        }
    }

    @Test
    void captionModesAndDropout() {
        TrainData.Item item = new TrainData.Item("1", 0, new long[] {4, 2, 2}, new float[16], "long grounded", "short");
        TrainData.Item noShort = new TrainData.Item("2", 0, new long[] {4, 2, 2}, new float[16], "only long", null);
        TrainConfig.Data d = TinyRuns.config(dir, dir, "data.caption=mix", "data.short_ratio=0.3",
                "data.caption_dropout=0.1").data();
        Rng r = new Rng(5);
        int shorts = 0;
        int empty = 0;
        for (int i = 0; i < 10_000; i++) {
            String c = Batch.caption(item, d, r);
            shorts += c.equals("short") ? 1 : 0;
            empty += c.isEmpty() ? 1 : 0;
        }
        assertEquals(0.1, empty / 10_000.0, 0.01);
        assertEquals(0.9 * 0.3, shorts / 10_000.0, 0.015);
        TrainConfig.Data s = TinyRuns.config(dir, dir, "data.caption=short").data();
        assertEquals("short", Batch.caption(item, s, r));
        assertEquals("only long", Batch.caption(noShort, s, r));
        assertEquals("long grounded", Batch.caption(item, TinyRuns.config(dir, dir).data(), r));
    }

    /** Pure red images encode to NaN: a poisoned sample. */
    private static final class Poisoned implements LatentEncoder {
        private final PixelLatents inner = new PixelLatents(4, 8);

        @Override public String id() {
            return "poisoned-" + inner.id();
        }

        @Override public int channels() {
            return 4;
        }

        @Override public int factor() {
            return 8;
        }

        @Override public NDArray encode(NDManager m, RgbImage image) {
            NDArray z = inner.encode(m, image);
            boolean red = image.get(0, 0, 0) == 255 && image.get(0, 0, 1) == 0 && image.get(0, 0, 2) == 0;
            return red ? z.mul(Float.NaN) : z;
        }
    }

    @Test
    void nanStopsTheRunAndKeepsTheLastGoodCheckpoint() throws Exception {
        Path data = kohya(true);
        long seed = 0; // one whose first epoch meets the red image (item 4) third or later, so checkpoints exist
        while (indexOfItem(new BatchPlan(new int[5], 1, seed).epoch(0), 4) < 2) {
            seed++;
        }
        TrainConfig c = TinyRuns.config(data, dir.resolve("nan"), "steps=40", "batch_size=1", "checkpoint.every=1",
                "checkpoint.keep=2", "data.buckets=false", "seed=" + seed);
        DiffusionTrainer.Deps d = TrainTask.deps(c, s -> { });
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> DiffusionTrainer.run(c,
                Path.of(c.outputDir()), false, new DiffusionTrainer.Deps(new Poisoned(), d.text(), null, s -> { }),
                Progress.NONE));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith("the loss is NaN at step " + e.step()), e.getMessage());
        Checkpoints cps = new Checkpoints(Path.of(c.outputDir()), 2);
        assertEquals(0, cps.cleanTemps(), "no half-written checkpoint");
        List<Long> logged = MetricsLog.read(Path.of(c.outputDir(), "metrics.jsonl")).stream()
                .map(n -> n.get("step").asLong()).toList();
        assertEquals(e.step() - 1, logged.size(), "every good step logged, the NaN step not");
        assertTrue(e.step() > 2);
        {
            Path last = cps.latest().orElseThrow();
            assertEquals(e.step() - 1, Checkpoints.step(last));
            assertTrue(e.getMessage().contains(last.toString()));
            assertEquals(e.step() - 1, TrainState.read(last).step());
            try (SafeTensors st = SafeTensors.open(last.resolve(Trainables.LORA_FILE))) {
                for (var t : st.tensors()) {
                    for (float f : st.readFloats(t.name())) {
                        assertTrue(Float.isFinite(f), t.name());
                    }
                }
            }
        }
    }

    private static int indexOfItem(List<int[]> batches, int item) {
        for (int i = 0; i < batches.size(); i++) {
            if (batches.get(i)[0] == item) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void validationImagesAtFixedSeedsBecomeAVideo() throws Exception {
        Path data = TinyRuns.world(dir, 2);
        AtomicInteger calls = new AtomicInteger();
        List<String> seen = new ArrayList<>();
        ValidationRenderer fake = (model, prompts, seeds) -> {
            int k = calls.getAndIncrement();
            seen.add(prompts + " " + seeds);
            List<RgbImage> out = new ArrayList<>();
            for (int i = 0; i < prompts.size() * seeds.size(); i++) {
                out.add(RgbImage.filled(32, 32, 40 * k, 255 - 40 * k, 20 * i));
            }
            return out;
        };
        TrainConfig c = TinyRuns.config(data, dir.resolve("val"), "steps=4", "validation.every=2",
                "validation.prompts=[\"a red circle\",\"two squares\"]", "validation.seeds=[1,2]", "validation.size=32");
        List<Long> notified = new ArrayList<>();
        List<Long> stepped = new ArrayList<>();
        Progress progress = new Progress() {
            @Override public void onStep(Step s) {
                stepped.add(s.step());
            }

            @Override public void onValidation(long step, List<Path> images) {
                assertEquals(4, images.size());
                notified.add(step);
            }
        };
        DiffusionTrainer.Result r = TinyRuns.run(c, false, fake, progress);
        assertEquals(3, calls.get()); // steps 0, 2, 4
        assertEquals(List.of(0L, 2L, 4L), notified);
        assertEquals(List.of(1L, 2L, 3L, 4L), stepped);
        assertEquals("[a red circle, two squares] [1, 2]", seen.get(2));
        Path v = r.runDir().resolve("validation");
        assertTrue(Files.exists(v.resolve("step-00000002/p1-s2.png")));
        RgbImage grid = DataPng.read(v.resolve("step-00000004/grid.png"));
        assertEquals(64, grid.width());
        assertEquals(64, grid.height());
        assertNotNull(r.video());
        assertTrue(Files.size(r.video()) > 0);
    }

    /** The server cancels through the progress callback: the run stops at that step boundary and resumes later. */
    @Test
    void anExceptionFromTheProgressCallbackStopsTheRunResumably() throws Exception {
        Path data = TinyRuns.world(dir, 2);
        TrainConfig c = TinyRuns.config(data, dir.resolve("cancel"), "steps=5", "checkpoint.every=2");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TinyRuns.run(c, false, null, s -> {
            if (s.step() == 3) {
                throw new IllegalStateException("cancelled");
            }
        }));
        assertEquals("cancelled", e.getMessage());
        assertEquals(2, Checkpoints.step(new Checkpoints(Path.of(c.outputDir()), 2).latest().orElseThrow()));
        TinyRuns.run(c, true);
        assertEquals(5, TinyRuns.losses(Path.of(c.outputDir())).size());
    }

    /** bf16 base weights with fp32 LoRA factors (the GPU setting; here on CPU): gradients reach the LoRA. */
    @Test
    void bf16BaseTrainsAnFp32Lora() throws Exception {
        Path data = TinyRuns.world(dir, 2);
        TrainConfig c = TinyRuns.config(data, dir.resolve("bf16"), "model.precision=bf16", "steps=3",
                "checkpoint.every=3");
        DiffusionTrainer.Result r = TinyRuns.run(c, false);
        assertTrue(TinyRuns.losses(r.runDir()).stream().allMatch(Double::isFinite));
        assertTrue(TinyRuns.column(r.runDir(), "grad_norm").stream().allMatch(g -> g > 0), "gradients flow");
        try (SafeTensors st = SafeTensors.open(r.weights())) {
            float[] b = st.readFloats("transformer.transformer_blocks.0.attn.to_q.lora_B.weight");
            assertTrue(java.util.stream.IntStream.range(0, b.length).anyMatch(i -> b[i] != 0f), "B moved from zero");
            assertEquals("F32", st.info("transformer.transformer_blocks.0.attn.to_q.lora_B.weight").dtype().toString());
        }
    }

    @Test
    void eulerPreviewDrawsFromTheModel() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainConfig c = TinyRuns.config(dir, dir);
            Trainables t = Trainables.create(c, m);
            PixelLatents px = new PixelLatents(4, 8);
            EulerPreview p = new EulerPreview(new HashedWords(8, 32, 32), px, px,
                    new studio.diffusion.sampling.RectifiedFlow(3.0, 1000), 4, 3f, 32);
            List<RgbImage> a = p.render(t.model(), List.of("a cat", "a dog"), List.of(1L, 2L));
            assertEquals(4, a.size());
            assertEquals(a, p.render(t.model(), List.of("a cat", "a dog"), List.of(1L, 2L)), "fixed seeds");
            assertTrue(!a.get(0).equals(a.get(1)), "different seeds differ");
        }
    }
}
