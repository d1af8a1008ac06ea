package studio.eval.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureCacheTest {
    @TempDir
    Path dir;

    /** Features = the first two bytes of each file; counts how many images it was asked for. */
    static final class ByteExtractor implements FeatureExtractor {
        final List<Path> seen = new ArrayList<>();
        final String name;

        ByteExtractor(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String resizeFilter() {
            return "none";
        }

        @Override
        public int dim() {
            return 2;
        }

        @Override
        public FeatureMatrix extract(List<Path> images) throws java.io.IOException {
            seen.addAll(images);
            float[] values = new float[images.size() * 2];
            for (int i = 0; i < images.size(); i++) {
                byte[] bytes = Files.readAllBytes(images.get(i));
                values[2 * i] = bytes[0];
                values[2 * i + 1] = bytes[1];
            }
            return new FeatureMatrix(images.size(), 2, values);
        }
    }

    @Test
    void aSetIsExtractedOnceWhateverItsOrderOrFileNames() throws Exception {
        Path a = Files.write(dir.resolve("a.png"), new byte[] {1, 2});
        Path b = Files.write(dir.resolve("b.png"), new byte[] {3, 4});
        FeatureCache cache = new FeatureCache(dir.resolve("cache"));
        ByteExtractor extractor = new ByteExtractor("bytes-v1");
        FeatureMatrix first = cache.features(extractor, List.of(a, b));
        assertEquals(2, extractor.seen.size());
        Path renamed = Files.copy(a, dir.resolve("renamed.png"));
        FeatureMatrix second = cache.features(extractor, List.of(b, renamed));
        assertEquals(2, extractor.seen.size(), "second call must come from the cache");
        assertArrayEquals(first.values(), second.values());
        assertEquals(first.stats().mean()[0], 2.0);
    }

    @Test
    void changedBytesOrAnotherExtractorMissTheCache() throws Exception {
        Path a = Files.write(dir.resolve("a.png"), new byte[] {1, 2});
        Path b = Files.write(dir.resolve("b.png"), new byte[] {3, 4});
        FeatureCache cache = new FeatureCache(dir.resolve("cache"));
        ByteExtractor v1 = new ByteExtractor("bytes-v1");
        cache.features(v1, List.of(a, b));
        Files.write(b, new byte[] {5, 6});
        assertEquals(8.0, cache.features(v1, List.of(a, b)).stats().mean()[1] * 2);
        assertEquals(4, v1.seen.size());
        ByteExtractor v2 = new ByteExtractor("bytes-v2");
        cache.features(v2, List.of(a, b));
        assertEquals(2, v2.seen.size());
    }

    @Test
    void identicalFilesStillGiveOneRowEach() throws Exception {
        Path a = Files.write(dir.resolve("a.png"), new byte[] {1, 2});
        Path copy = Files.copy(a, dir.resolve("copy.png"));
        FeatureMatrix features = new FeatureCache(dir.resolve("cache")).features(new ByteExtractor("x"), List.of(a, copy, a));
        assertEquals(3, features.rows());
    }
}
