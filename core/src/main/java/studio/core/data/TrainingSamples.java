package studio.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import studio.core.BadInputException;
import studio.core.data.caption.GroundedCaption;
import studio.core.data.caption.TagParser;
import studio.core.data.layout.CaptionedImage;
import studio.core.data.layout.ImageFolderMetadata;
import studio.core.data.layout.KohyaFolder;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.MaskGeometry;
import studio.core.data.panoptic.PanopticAnnotation;
import studio.core.data.pancap.PanCapDataset;
import studio.core.data.pancap.PanCapSample;

/**
 * The training reader: an iterator over decoded samples, one at a time, from any layout the studio
 * reads (PanCap / COCO panoptic, HF imagefolder, kohya folder; {@link #open} picks by what the folder
 * holds). A bad sample (missing or corrupt image or mask, malformed or dangling tags, ids in the PNG
 * missing from {@code segments_info}) is skipped with a warning and counted; one bad file never stops
 * a run (issue 3, "Bad input").
 */
public final class TrainingSamples implements Iterator<TrainingSample> {
    private interface Loader {
        TrainingSample load(int index);
    }

    private final int size;
    private final Loader loader;
    private final Consumer<Violation> warnings;
    private int position;
    private int skipped;
    private TrainingSample next;

    private TrainingSamples(int size, Loader loader, Consumer<Violation> warnings) {
        this.size = size;
        this.loader = loader;
        this.warnings = warnings;
    }

    /**
     * Opens {@code dir}: {@code panoptic.json} → PanCap layout, {@code metadata.jsonl} → imagefolder, else a
     * kohya folder. Problems with the whole dataset (malformed JSON) throw {@link BadInputException}.
     */
    public static TrainingSamples open(Path dir, Consumer<Violation> warnings) throws IOException {
        if (Files.exists(dir.resolve("panoptic.json"))) {
            PanCapDataset dataset = PanCapDataset.open(dir);
            List<PanopticAnnotation> annotations = dataset.json().annotations();
            return new TrainingSamples(annotations.size(), i -> pancap(dataset, annotations.get(i)), warnings);
        }
        Problems listing = Problems.collecting();
        List<CaptionedImage> rows = Files.exists(dir.resolve(ImageFolderMetadata.FILE))
                ? ImageFolderMetadata.read(dir, listing) : KohyaFolder.read(dir, listing);
        TrainingSamples samples = new TrainingSamples(rows.size(), i -> plain(rows.get(i)), warnings);
        listing.found().forEach(v -> samples.skip(v));
        return samples;
    }

    private static TrainingSample pancap(PanCapDataset dataset, PanopticAnnotation a) {
        PanCapSample s = dataset.sample(a);
        String raw = s.rawCaption().orElseThrow(() -> new BadInputException(dataset.captions().describe(a.imageId()), "caption is missing"));
        GroundedCaption caption = TagParser.parse(raw, dataset.captions().describe(a.imageId()));
        Set<Long> ids = new TreeSet<>();
        a.segments().forEach(seg -> ids.add(seg.id()));
        for (long id : caption.segmentIds()) {
            if (!ids.contains(id)) {
                throw new BadInputException(dataset.captions().describe(a.imageId()), "a tag names segment " + id + ", which the image does not have");
            }
        }
        IdMask mask = s.loadMask();
        for (MaskGeometry g : mask.geometry()) {
            if (!ids.contains(g.id())) {
                throw new BadInputException(s.mask().toString(), "id " + g.id() + " has no segments_info entry");
            }
        }
        return new TrainingSample(Long.toString(a.imageId()), s.loadImage(), caption, mask, a);
    }

    private static TrainingSample plain(CaptionedImage row) {
        GroundedCaption caption = new GroundedCaption(row.caption().strip(), List.of());
        return new TrainingSample(row.id(), DataPng.read(row.image()), caption, null, null);
    }

    @Override
    public boolean hasNext() {
        while (next == null && position < size) {
            int index = position++;
            try {
                next = loader.load(index);
            } catch (BadInputException e) {
                skip(new Violation(e.where(), 0, e.getMessage().substring(e.where().length() + 2)));
            }
        }
        return next != null;
    }

    @Override
    public TrainingSample next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        TrainingSample out = next;
        next = null;
        return out;
    }

    private void skip(Violation v) {
        skipped++;
        warnings.accept(v);
    }

    /** Samples skipped so far (each with one warning). */
    public int skipped() {
        return skipped;
    }

    /** Samples listed by the dataset (good and bad). */
    public int listed() {
        return size;
    }
}
