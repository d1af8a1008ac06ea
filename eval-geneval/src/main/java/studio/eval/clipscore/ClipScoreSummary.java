package studio.eval.clipscore;

import java.util.List;

/**
 * A corpus CLIPScore with its convention and what the long-caption policy did, for reports.
 *
 * @param captionsSplit     captions too long to score whole, scored as sentence averages
 * @param piecesTruncated   sentences still cut to the context length
 */
public record ClipScoreSummary(Convention convention, String label, double score, int images, int captionsSplit,
                               int piecesTruncated, int droppedTokens) {

    public static ClipScoreSummary of(Convention convention, List<CaptionCosine> perImage) {
        double[] cosines = perImage.stream().mapToDouble(CaptionCosine::cosine).toArray();
        return new ClipScoreSummary(convention, convention.label(), convention.corpus(cosines), perImage.size(),
                (int) perImage.stream().filter(c -> !c.scoredWhole()).count(),
                perImage.stream().mapToInt(CaptionCosine::truncatedPieces).sum(),
                perImage.stream().mapToInt(CaptionCosine::droppedTokens).sum());
    }
}
