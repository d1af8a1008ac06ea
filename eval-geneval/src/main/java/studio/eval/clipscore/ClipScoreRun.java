package studio.eval.clipscore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import studio.eval.fid.FeatureExtractor;
import studio.eval.fid.FeatureMatrix;

/**
 * CLIPScore of image–caption pairs under both conventions at once (they differ in the text prefix, so each has its
 * own cosine): image embeddings from a CLIP image tower, text embeddings under {@link CaptionCosine}'s long-caption
 * policy, per image and per corpus.
 */
public final class ClipScoreRun {
    /** One image: its pair and the cosine (with what the policy did) per convention. */
    public record PerImage(CaptionedImages.Item item, CaptionCosine torchmetrics, CaptionCosine hessel) {}

    public record Result(List<PerImage> images, ClipScoreSummary torchmetrics, ClipScoreSummary hessel) {}

    private ClipScoreRun() {}

    public static Result score(List<CaptionedImages.Item> items, FeatureExtractor imageTower, TextEmbedder text)
            throws IOException {
        List<Path> paths = items.stream().map(CaptionedImages.Item::image).toList();
        FeatureMatrix embeds = imageTower.extract(paths);
        List<PerImage> out = new ArrayList<>();
        List<CaptionCosine> t = new ArrayList<>();
        List<CaptionCosine> h = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            float[] image = Arrays.copyOfRange(embeds.values(), i * embeds.cols(), (i + 1) * embeds.cols());
            String caption = items.get(i).caption();
            CaptionCosine ct = CaptionCosine.of(image, caption, text, Convention.TORCHMETRICS);
            CaptionCosine ch = CaptionCosine.of(image, caption, text, Convention.HESSEL);
            out.add(new PerImage(items.get(i), ct, ch));
            t.add(ct);
            h.add(ch);
        }
        return new Result(out, ClipScoreSummary.of(Convention.TORCHMETRICS, t), ClipScoreSummary.of(Convention.HESSEL, h));
    }
}
