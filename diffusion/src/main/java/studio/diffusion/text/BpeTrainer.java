package studio.diffusion.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.nio.charset.StandardCharsets;

/**
 * Learns CLIP-style byte-level BPE merges from a corpus (Sennrich et al. 2016, "Neural Machine Translation of
 * Rare Words with Subword Units", Algorithm 1), on exactly the words {@link ClipTokenizer} will see: CLIP's cleanup
 * ({@link ClipTextCleaner}), its word regex, GPT-2's byte symbols, {@code </w>} on the last symbol of a word.
 * Each round merges the most frequent adjacent pair (ties: the smaller pair string, so the result is
 * deterministic) until {@code maxMerges} or no pair occurs {@code minFrequency} times. The vocabulary is
 * built as openai's simple_tokenizer.py builds it: 256 byte symbols, the same with {@code </w>}, one entry per
 * merge, then {@code <|startoftext|>} and {@code <|endoftext|>} last.
 */
public final class BpeTrainer {
    /** The learned merges ("a b", rank order) and vocabulary (token → id). */
    public record Result(List<String> merges, Map<String, Integer> vocab) {}

    private BpeTrainer() {}

    public static Result train(List<String> corpus, int maxMerges, int minFrequency) {
        Map<List<String>, Integer> words = wordCounts(corpus);
        List<String> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            String[] best = bestPair(words, minFrequency);
            if (best == null) {
                break;
            }
            merges.add(best[0] + " " + best[1]);
            words = apply(words, best[0], best[1]);
        }
        return new Result(merges, vocabulary(merges));
    }

    /** Word (as byte symbols, {@code </w>} on the last) → count over the cleaned corpus. */
    static Map<List<String>, Integer> wordCounts(List<String> corpus) {
        String[] table = ClipTokenizer.byteSymbols();
        Map<List<String>, Integer> counts = new LinkedHashMap<>();
        for (String text : corpus) {
            Matcher m = ClipTokenizer.WORDS.matcher(ClipTextCleaner.clean(text).text());
            while (m.find()) {
                byte[] bytes = m.group().getBytes(StandardCharsets.UTF_8);
                List<String> symbols = new ArrayList<>(bytes.length);
                for (byte b : bytes) {
                    symbols.add(table[b & 0xFF]);
                }
                symbols.set(symbols.size() - 1, symbols.get(symbols.size() - 1) + "</w>");
                counts.merge(List.copyOf(symbols), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** The most frequent adjacent pair with at least minFrequency occurrences, or null. */
    private static String[] bestPair(Map<List<String>, Integer> words, int minFrequency) {
        Map<String, Integer> pairs = new TreeMap<>(); // sorted: the first maximum is the smallest pair string
        for (Map.Entry<List<String>, Integer> e : words.entrySet()) {
            List<String> w = e.getKey();
            for (int i = 0; i + 1 < w.size(); i++) {
                pairs.merge(w.get(i) + " " + w.get(i + 1), e.getValue(), Integer::sum);
            }
        }
        String best = null;
        int count = minFrequency - 1;
        for (Map.Entry<String, Integer> p : pairs.entrySet()) {
            if (p.getValue() > count) {
                best = p.getKey();
                count = p.getValue();
            }
        }
        return best == null ? null : best.split(" ", 2);
    }

    private static Map<List<String>, Integer> apply(Map<List<String>, Integer> words, String a, String b) {
        Map<List<String>, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<List<String>, Integer> e : words.entrySet()) {
            List<String> w = e.getKey();
            List<String> merged = new ArrayList<>(w.size());
            for (int i = 0; i < w.size(); i++) {
                if (i + 1 < w.size() && w.get(i).equals(a) && w.get(i + 1).equals(b)) {
                    merged.add(a + b);
                    i++;
                } else {
                    merged.add(w.get(i));
                }
            }
            out.merge(List.copyOf(merged), e.getValue(), Integer::sum);
        }
        return out;
    }

    /** simple_tokenizer.py's vocabulary order; a merge whose result is already a token keeps the first id. */
    static Map<String, Integer> vocabulary(List<String> merges) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        String[] symbols = ClipTokenizer.byteSymbolsInVocabOrder();
        Arrays.stream(symbols).forEach(s -> vocab.putIfAbsent(s, vocab.size()));
        Arrays.stream(symbols).forEach(s -> vocab.putIfAbsent(s + "</w>", vocab.size()));
        merges.forEach(m -> vocab.putIfAbsent(m.replace(" ", ""), vocab.size()));
        vocab.putIfAbsent(ClipTokenizer.BOS_TEXT, vocab.size());
        vocab.putIfAbsent(ClipTokenizer.EOS_TEXT, vocab.size());
        return vocab;
    }
}
