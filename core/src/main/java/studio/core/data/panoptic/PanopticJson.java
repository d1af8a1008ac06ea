package studio.core.data.panoptic;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A COCO panoptic JSON held as small records ({@code images}, {@code annotations},
 * {@code categories}); pixels stay in the PNGs and are read one image at a time. Fields the studio
 * does not use ({@code info}, {@code licenses}, {@code coco_url}, ...) are not kept.
 * Read with {@link PanopticJsonReader}, write with {@link PanopticJsonWriter}.
 */
public record PanopticJson(List<ImageInfo> images, List<PanopticAnnotation> annotations, List<Category> categories) {
    public PanopticJson {
        images = List.copyOf(images);
        annotations = List.copyOf(annotations);
        categories = List.copyOf(categories);
    }

    public Map<Long, ImageInfo> imagesById() {
        return index(images, ImageInfo::id);
    }

    public Map<Integer, Category> categoriesById() {
        return index(categories, Category::id);
    }

    public Optional<PanopticAnnotation> annotation(long imageId) {
        return annotations.stream().filter(a -> a.imageId() == imageId).findFirst();
    }

    private static <K extends Comparable<K>, V> Map<K, V> index(List<V> values, Function<V, K> key) {
        Map<K, V> out = new TreeMap<>();
        values.forEach(v -> out.putIfAbsent(key.apply(v), v));
        return Collections.unmodifiableMap(out);
    }
}
