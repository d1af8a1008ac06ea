package studio.diffusion.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import studio.core.BadInputException;

/**
 * CLIP's byte-level BPE tokenizer for SD3's {@code tokenizer/} and {@code tokenizer_2/} (vocab.json +
 * merges.txt + special_tokens_map.json), SD3.md §4.4, equal id for id to openai/CLIP's
 * simple_tokenizer.py as transcribed in tools/reference/text_reference.py (ftfy reduced to NFC).
 *
 * <p>Implemented in Java rather than as a generated tokenizer.json run by DJL's Hugging Face
 * tokenizers, because that library's normalizers cannot express CLIP's cleanup exactly (basic_clean's
 * double html.unescape, Python's strip and lower rules, the literal {@code <|endoftext|>} in a prompt),
 * and because the token report needs each token's position in the prompt as typed; the BPE itself is
 * the small greedy lowest-rank merge loop. Pad ids differ per folder: {@code tokenizer} pads with
 * {@code <|endoftext|>} (49407), {@code tokenizer_2} with {@code "!"} (0).
 */
public final class ClipTokenizer {
    /** Positions per sequence (model_max_length): BOS, up to 75 tokens, EOS, pads. */
    public static final int LENGTH = 77;
    /** Prompt tokens per 77-position chunk. */
    public static final int CHUNK_TOKENS = LENGTH - 2;
    static final String BOS_TEXT = "<|startoftext|>";
    static final String EOS_TEXT = "<|endoftext|>";
    static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> ranks = new HashMap<>(); // "a b" → merge rank
    private final String[] byteSymbols = byteSymbols();
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>(); // word → pieces
    private final int bos;
    private final int eos;
    private final int pad;
    private Map<Integer, String> decoder;

    ClipTokenizer(Map<String, Integer> vocab, List<String> merges, String padToken) {
        this.vocab = vocab;
        for (int i = 0; i < merges.size(); i++) {
            ranks.put(merges.get(i), i);
        }
        bos = id(BOS_TEXT);
        eos = id(EOS_TEXT);
        pad = id(padToken);
    }

    /** A diffusers tokenizer folder: vocab.json, merges.txt, special_tokens_map.json (pad_token). */
    public static ClipTokenizer load(Path folder) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, Integer> vocab = new HashMap<>();
        json.readTree(folder.resolve("vocab.json").toFile()).fields()
                .forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        List<String> merges = new ArrayList<>();
        List<String> lines = Files.readAllLines(folder.resolve("merges.txt"), StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) { // line 0 is "#version: 0.2"
            if (!lines.get(i).isBlank()) {
                merges.add(lines.get(i).trim());
            }
        }
        JsonNode special = json.readTree(folder.resolve("special_tokens_map.json").toFile()).path("pad_token");
        String padToken = special.isObject() ? special.path("content").asText() : special.asText(EOS_TEXT);
        return new ClipTokenizer(vocab, merges, padToken);
    }

    /**
     * openai's {@code bpe_simple_vocab_16e6.txt.gz}: merges = lines 1..48894; the vocabulary is built from
     * them as simple_tokenizer.py does (256 byte symbols, the same with {@code </w>}, one per merge, BOS, EOS).
     */
    public static ClipTokenizer fromOpenAiMerges(Path gz, String padToken) throws IOException {
        List<String> merges = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 1; i < 49152 - 256 - 2 + 1; i++) {
                merges.add(lines[i].trim());
            }
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        String[] symbols = byteSymbolsInVocabOrder();
        for (String s : symbols) {
            vocab.put(s, vocab.size());
        }
        for (String s : symbols) {
            vocab.put(s + "</w>", vocab.size());
        }
        for (String m : merges) {
            vocab.put(m.replace(" ", ""), vocab.size());
        }
        vocab.put(BOS_TEXT, vocab.size());
        vocab.put(EOS_TEXT, vocab.size());
        return new ClipTokenizer(vocab, merges, padToken);
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int pad() {
        return pad;
    }

    /** The prompt's tokens, no BOS/EOS, no limit (chunking and truncation are the caller's). */
    public TokenizedText encode(String prompt) {
        AlignedText clean = ClipTextCleaner.clean(prompt);
        String text = clean.text();
        List<Integer> ids = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        Matcher m = WORDS.matcher(text);
        while (m.find()) {
            String word = m.group();
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            int[] charOfByte = charOfByte(word, bytes.length);
            int at = 0;
            for (String piece : bpe(symbols(bytes))) {
                ids.add(id(piece));
                starts.add(clean.origin(m.start() + charOfByte[at], prompt.length()));
                at += piece.endsWith("</w>") ? piece.length() - 4 : piece.length();
            }
        }
        return new TokenizedText(prompt, ids.stream().mapToInt(Integer::intValue).toArray(),
                starts.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Ids → text as simple_tokenizer.py's decode: the tokens joined, byte symbols back to UTF-8 bytes, each
     * {@code </w>} a space. Special tokens decode to their text. Unknown ids are an error.
     */
    public String decode(int[] ids) {
        if (decoder == null) {
            decoder = new HashMap<>();
            vocab.forEach((k, v) -> decoder.put(v, k));
        }
        Map<Character, Integer> byteOf = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            byteOf.put(byteSymbols[b].charAt(0), b);
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            String token = decoder.get(id);
            if (token == null) {
                throw new BadInputException("CLIP ids", "no token with id " + id);
            }
            if (token.equals(BOS_TEXT) || token.equals(EOS_TEXT)) {
                bytes.writeBytes(token.getBytes(StandardCharsets.UTF_8));
                continue;
            }
            for (char ch : token.replace("</w>", " ").toCharArray()) {
                Integer b = byteOf.get(ch);
                bytes.write(b == null ? ch : b); // only the space of </w> is not a byte symbol
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * {@code count} rows of 77 ids: row c = [BOS, tokens[75c .. 75c+75), EOS, pad…]; rows past the end of
     * the tokens are the empty prompt [BOS, EOS, pad…]. count ≥ {@link #chunksFor}(ids.length).
     */
    public long[][] chunks(int[] ids, int count) {
        if (count < chunksFor(ids.length)) {
            throw new IllegalArgumentException(ids.length + " tokens need " + chunksFor(ids.length) + " chunks, not " + count);
        }
        long[][] rows = new long[count][LENGTH];
        for (int c = 0; c < count; c++) {
            int from = Math.min(ids.length, c * CHUNK_TOKENS);
            int to = Math.min(ids.length, from + CHUNK_TOKENS);
            long[] row = rows[c];
            java.util.Arrays.fill(row, pad);
            row[0] = bos;
            for (int i = from; i < to; i++) {
                row[1 + i - from] = ids[i];
            }
            row[1 + to - from] = eos;
        }
        return rows;
    }

    /** Chunks needed for {@code tokens} prompt tokens: at least one (the empty prompt is [BOS, EOS, pad…]). */
    public static int chunksFor(int tokens) {
        return Math.max(1, (tokens + CHUNK_TOKENS - 1) / CHUNK_TOKENS);
    }

    private int id(String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new BadInputException("CLIP vocabulary", "no token '" + token + "' (vocab.json and merges.txt disagree?)");
        }
        return id;
    }

    private List<String> symbols(byte[] bytes) {
        List<String> s = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            s.add(byteSymbols[b & 0xFF]);
        }
        return s;
    }

    /** Greedy BPE: merge the lowest-ranked adjacent pair everywhere, until no pair has a rank. */
    private List<String> bpe(List<String> symbols) {
        String key = String.join("", symbols);
        if (key.equals(BOS_TEXT) || key.equals(EOS_TEXT)) {
            return List.of(key);
        }
        List<String> cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>(symbols);
        word.set(word.size() - 1, word.get(word.size() - 1) + "</w>");
        while (word.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); i++) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(word.get(i));
                }
            }
            word = merged;
        }
        if (cache.size() < 100_000) {
            cache.put(key, word);
        }
        return word;
    }

    /** For each UTF-8 byte of {@code word}, the index of the char it encodes. */
    private static int[] charOfByte(String word, int byteCount) {
        int[] out = new int[byteCount + 1];
        int b = 0;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            for (int k = 0; k < n && b < byteCount; k++) {
                out[b++] = i;
            }
            i += Character.charCount(cp);
        }
        out[byteCount] = word.length();
        return out;
    }

    /** GPT-2's byte → printable symbol table (SD3.md §4.4), indexed by byte. */
    static String[] byteSymbols() {
        String[] out = new String[256];
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            out[b] = String.valueOf((char) (printable(b) ? b : 256 + extra++));
        }
        return out;
    }

    /** The symbols in vocabulary order: printable bytes first, then the remapped ones, each by byte. */
    static String[] byteSymbolsInVocabOrder() {
        String[] table = byteSymbols();
        String[] out = new String[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (printable(b)) {
                out[n++] = table[b];
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!printable(b)) {
                out[n++] = table[b];
            }
        }
        return out;
    }

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }
}
