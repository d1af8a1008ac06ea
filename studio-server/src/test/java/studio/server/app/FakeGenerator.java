package studio.server.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import studio.core.data.DataPng;
import studio.core.image.RgbImage;
import studio.server.work.GenerateParams;
import studio.server.work.ImageGenerator;

/**
 * A fast stand-in for the pipeline: reports every step, writes a flat-coloured PNG per image (or a given picture),
 * and records which threads called it. {@link #hold()} makes the next calls wait at step 1 until {@link #release()}.
 */
public final class FakeGenerator implements ImageGenerator {
    public final Set<String> threads = ConcurrentHashMap.newKeySet();
    final AtomicInteger calls = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final CountDownLatch entered = new CountDownLatch(1);
    volatile long stepMillis;
    volatile RgbImage picture;

    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    /** Waits until a generation has reached its first step. */
    boolean awaitRunning(long millis) throws InterruptedException {
        return entered.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public List<Image> generate(GenerateParams p, StepListener listener) throws Exception {
        threads.add(Thread.currentThread().getName());
        calls.incrementAndGet();
        for (int s = 1; s <= p.steps(); s++) {
            if (s == 1) {
                entered.countDown();
                gate.await(30, TimeUnit.SECONDS);
            }
            if (stepMillis > 0) {
                Thread.sleep(stepMillis);
            }
            listener.step(s, p.steps());
        }
        int w = p.width() != null ? p.width() : 16;
        int h = p.height() != null ? p.height() : 16;
        List<Image> out = new ArrayList<>();
        for (int i = 0; i < p.batch(); i++) {
            long seed = p.seed() + i;
            RgbImage pixels = picture != null ? picture : RgbImage.filled(w, h, (int) (seed % 256), 80, 160);
            out.add(new Flat(seed, pixels));
        }
        return out;
    }

    private record Flat(long seed, RgbImage pixels) implements Image {
        @Override
        public int width() {
            return pixels.width();
        }

        @Override
        public int height() {
            return pixels.height();
        }

        @Override
        public Map<String, Object> metadata() {
            return Map.of("fake", true, "seed", seed);
        }

        @Override
        public void writePng(Path file) {
            DataPng.write(file, pixels);
        }
    }
}
