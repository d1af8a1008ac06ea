package studio.captioner.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import studio.core.BadInputException;

/**
 * coco-caption's evaluation ({@code pycocoevalcap/eval.py}, {@code COCOEvalCap.evaluate}): tokenize
 * references and candidates with PTB rules ({@link PtbTokenizer}), then BLEU-1..4, ROUGE-L and CIDEr-D
 * over the images. METEOR is not computed: it needs the METEOR 1.5 jar's paraphrase tables, which a
 * faithful port would have to ship.
 */
public final class CaptionMetrics {
    private CaptionMetrics() {}

    /** The scores as coco-caption reports them (BLEU and ROUGE-L in [0, 1], CIDEr-D in [0, 10]). */
    public record Scores(double bleu1, double bleu2, double bleu3, double bleu4, double rougeL, double ciderD, int images) {
        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("images", images);
            m.put("Bleu_1", bleu1);
            m.put("Bleu_2", bleu2);
            m.put("Bleu_3", bleu3);
            m.put("Bleu_4", bleu4);
            m.put("ROUGE_L", rougeL);
            m.put("CIDEr", ciderD);
            return m;
        }
    }

    /** Raw (untokenized, untagged) captions: references per image, one candidate per image. */
    public static Scores score(Map<String, List<String>> references, Map<String, String> candidates) {
        Map<String, List<String>> refs = new TreeMap<>();
        Map<String, String> hyps = new TreeMap<>();
        candidates.forEach((k, v) -> {
            List<String> r = references.get(k);
            if (r == null || r.isEmpty()) {
                throw new BadInputException(k, "a candidate caption has no reference caption");
            }
            refs.put(k, r.stream().map(PtbTokenizer::tokenize).toList());
            hyps.put(k, PtbTokenizer.tokenize(v));
        });
        return scoreTokenized(refs, hyps);
    }

    /** Captions already tokenized (tokens joined by single spaces). */
    public static Scores scoreTokenized(Map<String, List<String>> refs, Map<String, String> hyps) {
        if (hyps.isEmpty()) {
            throw new BadInputException("captions", "no candidate captions to score");
        }
        double[] b = Bleu.corpus(refs, hyps);
        return new Scores(b[0], b[1], b[2], b[3], RougeL.corpus(refs, hyps), CiderD.corpus(refs, hyps), hyps.size());
    }
}
