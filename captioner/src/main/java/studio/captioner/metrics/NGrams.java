package studio.captioner.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** n-gram counts of a token list, n = 1..4 ({@code precook} in coco-caption's bleu_scorer.py and cider_scorer.py). */
final class NGrams {
    static final int N = 4;

    private NGrams() {}

    /** Keys are the n-gram's tokens joined by a single space (tokens never contain spaces). */
    static Map<String, Integer> count(List<String> words) {
        Map<String, Integer> counts = new HashMap<>();
        for (int k = 1; k <= N; k++) {
            for (int i = 0; i + k <= words.size(); i++) {
                counts.merge(String.join(" ", words.subList(i, i + k)), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** The order of an n-gram key. */
    static int order(String key) {
        int n = 1;
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) == ' ') {
                n++;
            }
        }
        return n;
    }

    /** {@code s.split()}: Python's whitespace split of a tokenized caption. */
    static List<String> words(String tokenized) {
        String t = tokenized.trim();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }
}
