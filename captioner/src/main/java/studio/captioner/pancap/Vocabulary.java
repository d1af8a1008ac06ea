package studio.captioner.pancap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word-level tokens of grounded captions. A COCONut-PanCap tag {@code <3,4: two red circles>} becomes
 * {@code <ptr> <ptr> two red circles </tag>}: one pointer token per segment, each carrying the segment it
 * points at (its tag number) beside the token stream, then the phrase, then the closing token. Words are
 * lower-cased (coco-caption's PTB tokenizer lower-cases before scoring); punctuation is its own token.
 */
public final class Vocabulary {
    public static final String PAD = "<pad>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    public static final String UNK = "<unk>";
    public static final String PTR = "<ptr>";
    public static final String CLOSE = "</tag>";
    public static final List<String> SPECIALS = List.of(PAD, BOS, EOS, UNK, PTR, CLOSE);
    public static final int PAD_ID = 0;
    public static final int BOS_ID = 1;
    public static final int EOS_ID = 2;
    public static final int UNK_ID = 3;
    public static final int PTR_ID = 4;
    public static final int CLOSE_ID = 5;

    private static final Pattern PIECE = Pattern.compile("<\\s*([0-9][0-9,\\s]*):|>|[A-Za-z0-9'-]+|[.,;:!?()]");

    /** A tokenized caption: {@code pointers[i]} is the tag number of pointer token i, -1 elsewhere. */
    public record Tokens(int[] ids, int[] pointers) {}

    private final List<String> words;
    private final Map<String, Integer> index = new HashMap<>();

    public Vocabulary(List<String> words) {
        if (words.size() < SPECIALS.size() || !words.subList(0, SPECIALS.size()).equals(SPECIALS)) {
            throw new IllegalArgumentException("a vocabulary starts with the special tokens " + SPECIALS);
        }
        this.words = List.copyOf(words);
        for (int i = 0; i < words.size(); i++) {
            index.put(words.get(i), i);
        }
    }

    /** The specials, then every word seen at least {@code minCount} times in {@code captions}, most frequent first. */
    public static Vocabulary build(Iterable<String> captions, int minCount) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String c : captions) {
            for (String p : pieces(c)) {
                if (!p.startsWith("<") && !p.equals(">")) {
                    counts.merge(p, 1, Integer::sum);
                }
            }
        }
        List<String> out = new ArrayList<>(SPECIALS);
        counts.entrySet().stream().filter(e -> e.getValue() >= minCount)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.add(e.getKey()));
        return new Vocabulary(out);
    }

    public List<String> words() {
        return words;
    }

    public int size() {
        return words.size();
    }

    public int id(String word) {
        return index.getOrDefault(word, UNK_ID);
    }

    public String word(int id) {
        return words.get(id);
    }

    /** {@code <bos>} + caption tokens + {@code <eos>}, cut to {@code maxTokens} (a cut caption has no {@code <eos>}). */
    public Tokens encode(String caption, int maxTokens) {
        List<Integer> ids = new ArrayList<>(List.of(BOS_ID));
        List<Integer> ptrs = new ArrayList<>(List.of(-1));
        for (String p : pieces(caption)) {
            if (p.startsWith("<")) {
                for (String n : p.substring(1, p.length() - 1).split(",")) {
                    ids.add(PTR_ID);
                    ptrs.add(Integer.parseInt(n.trim()));
                }
            } else {
                ids.add(p.equals(">") ? CLOSE_ID : id(p));
                ptrs.add(-1);
            }
        }
        ids.add(EOS_ID);
        ptrs.add(-1);
        int n = Math.min(maxTokens, ids.size());
        int[] a = new int[n];
        int[] b = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = ids.get(i);
            b[i] = ptrs.get(i);
        }
        return new Tokens(a, b);
    }

    /**
     * Caption text from generated tokens (no {@code <bos>}); {@code pointers[i]} is the tag number of pointer token i.
     * Whatever the tokens, the text is well-formed tag grammar: a pointer run opens a tag at its first word, a
     * {@code </tag>}, a new pointer run or the end closes it; a tag without words and a stray {@code </tag>} are dropped;
     * repeated tag numbers in one tag are kept once.
     */
    public String decode(int[] ids, int[] pointers) {
        StringBuilder out = new StringBuilder();
        boolean sentenceStart = true;
        boolean inPhrase = false;
        java.util.LinkedHashSet<Integer> open = new java.util.LinkedHashSet<>();
        for (int i = 0; i < ids.length && ids[i] != EOS_ID; i++) {
            int t = ids[i];
            if (t == PTR_ID) {
                if (inPhrase) {
                    out.append('>');
                    inPhrase = false;
                }
                open.add(pointers[i]);
            } else if (t == CLOSE_ID) {
                if (inPhrase) {
                    out.append('>');
                }
                inPhrase = false;
                open.clear();
            } else if (t != PAD_ID && t != BOS_ID) {
                String w = word(t);
                if (!open.isEmpty()) {
                    space(out);
                    out.append('<').append(String.join(",", open.stream().map(String::valueOf).toList())).append(": ");
                    open.clear();
                    inPhrase = true;
                } else if (!isPunct(w)) {
                    space(out);
                }
                out.append(sentenceStart && !isPunct(w) ? capitalise(w) : w);
                sentenceStart = isPunct(w) ? w.equals(".") || w.equals("!") || w.equals("?") : false;
            }
        }
        if (inPhrase) {
            out.append('>');
        }
        return out.toString().trim();
    }

    private static void space(StringBuilder out) {
        if (out.length() > 0 && out.charAt(out.length() - 1) != ' ' && !out.toString().endsWith(": ")) {
            out.append(' ');
        }
    }

    private static boolean isPunct(String w) {
        return w.length() == 1 && ".,;:!?()".indexOf(w.charAt(0)) >= 0;
    }

    private static String capitalise(String w) {
        return w.isEmpty() ? w : Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }

    /** Tag openings ({@code <3,4:}), tag ends ({@code >}), lower-cased words and punctuation, in order. */
    static List<String> pieces(String caption) {
        List<String> out = new ArrayList<>();
        Matcher m = PIECE.matcher(caption);
        while (m.find()) {
            String g = m.group();
            out.add(g.startsWith("<") ? "<" + m.group(1).replaceAll("\\s", "") + ":" : g.toLowerCase(Locale.ROOT));
        }
        return out;
    }
}
