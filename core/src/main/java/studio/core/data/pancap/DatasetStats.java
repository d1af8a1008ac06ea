package studio.core.data.pancap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import studio.core.data.caption.TagParser;
import studio.core.data.caption.TagSyntaxException;
import studio.core.data.panoptic.Category;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.data.panoptic.SegmentInfo;

/**
 * The COCONut-PanCap paper's Table 1 columns for a PanCap-format dataset: images, average words per
 * caption (plain text, tags removed), average masks per image, things and stuff per image. Reads the
 * JSON and the captions only, never the pixels.
 */
public record DatasetStats(long images, long captions, long unparsableCaptions, double wordsPerCaption,
        double masksPerImage, double thingsPerImage, double stuffPerImage) {

    public static DatasetStats of(Path root) throws IOException {
        return of(PanCapDataset.open(root));
    }

    public static DatasetStats of(PanCapDataset dataset) {
        Map<Integer, Category> categories = dataset.categories();
        long images = 0;
        long masks = 0;
        long things = 0;
        long stuff = 0;
        long captions = 0;
        long bad = 0;
        long words = 0;
        for (PanopticAnnotation a : dataset.json().annotations()) {
            images++;
            for (SegmentInfo s : a.segments()) {
                masks++;
                Category c = categories.get(s.categoryId());
                boolean thing = s.isthing() != null ? s.isthing() == 1 : c != null && c.thing();
                if (thing) {
                    things++;
                } else {
                    stuff++;
                }
            }
            String raw = dataset.captions().caption(a.imageId()).orElse(null);
            if (raw != null) {
                try {
                    words += TagParser.parse(raw, dataset.captions().describe(a.imageId())).wordCount();
                    captions++;
                } catch (TagSyntaxException e) {
                    bad++;
                }
            }
        }
        return new DatasetStats(images, captions, bad, ratio(words, captions), ratio(masks, images), ratio(things, images), ratio(stuff, images));
    }

    private static double ratio(long total, long count) {
        return count == 0 ? 0 : (double) total / count;
    }

    /** The printed table, one "name: value" per line. */
    public String format() {
        return String.format(Locale.ROOT, "images: %d%ncaptions: %d%s%naverage words per caption: %.1f%naverage masks per image: %.2f%n"
                        + "things per image: %.2f%nstuff per image: %.2f%n",
                images, captions, unparsableCaptions > 0 ? " (" + unparsableCaptions + " unparsable, not counted)" : "",
                wordsPerCaption, masksPerImage, thingsPerImage, stuffPerImage);
    }
}
