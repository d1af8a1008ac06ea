package studio.diffusion.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A T5-style SentencePiece Unigram vocabulary (Kudo 2018, "Subword Regularization", §3) for a closed-vocabulary
 * corpus. The pre-tokenizer is T5's (whitespace split, Metaspace {@code ▁} before each word); each pre-token
 * is cut into letter/digit runs and single other characters, the first run carrying the {@code ▁}. Every such
 * piece seen {@code minFrequency} times becomes a vocabulary entry scored by its log relative frequency — the
 * maximum-likelihood Unigram model when each word is segmented into these pieces, i.e. the fixed point of
 * SentencePiece's EM for a corpus whose words are all in the vocabulary (no pruning is needed: the world's
 * vocabulary is small). Every character of the corpus and printable ASCII are also pieces, scored below any
 * word, so Viterbi falls back to characters for new words and no ASCII prompt yields {@code <unk>}.
 * Ids 0, 1, 2 are {@code <pad>}, {@code </s>}, {@code <unk>} as in T5; the rest sorted by score.
 */
public final class UnigramTrainer {
    /** The meta-symbol T5's Metaspace puts before each word. */
    public static final String SPACE = "\u2581";
    private static final Pattern RUNS = Pattern.compile("[\\p{L}\\p{N}]+|[^\\p{L}\\p{N}]",
            Pattern.UNICODE_CHARACTER_CLASS);

    /** A piece and its log-probability score. */
    public record Piece(String piece, double score) {}

    private UnigramTrainer() {}

    /** The pieces, specials first, then by descending score (ties by piece). */
    public static List<Piece> train(List<String> corpus, int minFrequency) {
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, Integer> chars = new TreeMap<>();
        for (String text : corpus) {
            for (String word : normalise(text).split(" ")) {
                if (word.isEmpty()) {
                    continue;
                }
                Matcher m = RUNS.matcher(word);
                boolean first = true;
                while (m.find()) {
                    counts.merge(first ? SPACE + m.group() : m.group(), 1, Integer::sum);
                    first = false;
                }
                word.codePoints().forEach(cp -> chars.merge(new String(Character.toChars(cp)), 1, Integer::sum));
            }
        }
        for (char c = '!'; c <= '~'; c++) {
            chars.putIfAbsent(String.valueOf(c), 0);
        }
        double total = counts.values().stream().mapToInt(Integer::intValue).sum();
        Map<String, Double> scores = new LinkedHashMap<>();
        counts.forEach((p, n) -> {
            if (n >= minFrequency) {
                scores.put(p, Math.log(n / total));
            }
        });
        // characters: below every word (log(1/total)), so a known word is never split
        double floor = Math.log(1 / total) - 1;
        scores.putIfAbsent(SPACE, floor - 1);
        chars.forEach((ch, n) -> scores.putIfAbsent(ch, floor - 1 - 1.0 / (1 + n)));
        List<Piece> out = new ArrayList<>(List.of(new Piece("<pad>", 0), new Piece("</s>", 0), new Piece("<unk>", 0)));
        scores.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.add(new Piece(e.getKey(), e.getValue())));
        return out;
    }

    /** What the tokenizer.json normalizer does: NFKC, runs of spaces to one (T5's nmt_nfkc, without control-char rules). */
    static String normalise(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFKC).replaceAll("\\s+", " ").strip();
    }
}
