package studio.eval.clipscore;

import java.util.List;

/**
 * The image–caption cosine under the long-caption policy, with what the policy did to the caption.
 *
 * <p>Policy (issue 8, EVAL.md §2.5 "77-token problem", fix (c)): tags are stripped; a caption that fits the
 * text tower's context (prefix included) is scored whole, exactly as the reference implementations score it;
 * a longer one is split into sentences, each sentence is scored, and the cosines are averaged (the
 * per-piece averaging of DCI, Urbanek et al. 2024). A sentence that alone is still too long is truncated by
 * the tower and counted in {@code truncatedPieces} with the tokens it lost in {@code droppedTokens}.
 *
 * @param cosine          the cosine the convention turns into a score
 * @param scoredWhole     the caption fitted and was scored in one piece
 * @param pieces          1 when scored whole, else the number of sentences
 * @param truncatedPieces pieces cut to the context length
 * @param droppedTokens   tokens lost to truncation, over all pieces
 */
public record CaptionCosine(double cosine, boolean scoredWhole, int pieces, int truncatedPieces, int droppedTokens) {

    public static CaptionCosine of(float[] image, String caption, TextEmbedder text, Convention convention) {
        String clean = CaptionText.stripTags(caption);
        String whole = convention.textPrefix() + clean;
        if (text.tokenCount(whole) <= text.maxTokens()) {
            return new CaptionCosine(cosine(image, text.embed(whole)), true, 1, 0, 0);
        }
        List<String> sentences = CaptionText.sentences(clean);
        if (sentences.isEmpty()) {
            throw new IllegalArgumentException("caption has no text after removing tags");
        }
        double sum = 0;
        int truncated = 0;
        int dropped = 0;
        for (String sentence : sentences) {
            String piece = convention.textPrefix() + sentence;
            int tokens = text.tokenCount(piece);
            if (tokens > text.maxTokens()) {
                truncated++;
                dropped += tokens - text.maxTokens();
            }
            sum += cosine(image, text.embed(piece));
        }
        return new CaptionCosine(sum / sentences.size(), false, sentences.size(), truncated, dropped);
    }

    /** Cosine similarity in double precision. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embedding sizes differ: " + a.length + " vs " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        if (na == 0 || nb == 0) {
            throw new IllegalArgumentException("zero embedding has no direction");
        }
        return dot / Math.sqrt(na * nb);
    }
}
