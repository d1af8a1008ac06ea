package studio.diffusion.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import studio.core.BadInputException;

/**
 * The T5 tokenizer of SD3's {@code tokenizer_3/} (T5TokenizerFast, SentencePiece Unigram), SD3.md §4.6,
 * run by DJL's Hugging Face tokenizers from {@code tokenizer.json}. The prompt is encoded without
 * special tokens and without truncation (so the token report can say what a length cut off); {@link #ids}
 * then does what the pipeline's tokenizer call does: keep length − 1 tokens, append {@code </s>},
 * pad with {@code <pad>}.
 */
public final class T5Tokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final int eos;
    private final int pad;
    private final int vocabSize;

    private T5Tokenizer(HuggingFaceTokenizer tokenizer, int eos, int pad, int vocabSize) {
        this.tokenizer = tokenizer;
        this.eos = eos;
        this.pad = pad;
        this.vocabSize = vocabSize;
    }

    /** {@code tokenizer_3/} (its tokenizer.json) or a tokenizer.json file. */
    public static T5Tokenizer load(Path folderOrFile) throws IOException {
        Path json = folderOrFile.toFile().isDirectory() ? folderOrFile.resolve("tokenizer.json") : folderOrFile;
        int eos = -1;
        int pad = -1;
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        int vocab = root.path("model").path("vocab").size();
        for (JsonNode t : root.path("added_tokens")) {
            vocab = Math.max(vocab, t.path("id").asInt() + 1);
            if (t.path("content").asText().equals("</s>")) {
                eos = t.path("id").asInt();
            } else if (t.path("content").asText().equals("<pad>")) {
                pad = t.path("id").asInt();
            }
        }
        if (eos < 0 || pad < 0) {
            throw new BadInputException(json.toString(), "no </s> or <pad> among added_tokens: not a T5 tokenizer");
        }
        Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false",
                "padding", "false", "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
        return new T5Tokenizer(HuggingFaceTokenizer.newInstance(json, options), eos, pad, vocab);
    }

    /** Ids in use: the Unigram pieces and added tokens (T5's own config rounds up to 32128; a trained one needs no more). */
    public int vocabSize() {
        return vocabSize;
    }

    public int eos() {
        return eos;
    }

    public int pad() {
        return pad;
    }

    /** The prompt's pieces, no {@code </s>}, no limit; starts are char indices into the prompt. */
    public TokenizedText encode(String prompt) {
        Encoding e = tokenizer.encode(prompt, false, false);
        long[] raw = e.getIds();
        CharSpan[] spans = e.getCharTokenSpans();
        int[] ids = new int[raw.length];
        int[] starts = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            ids[i] = Math.toIntExact(raw[i]);
            int previous = i == 0 ? 0 : starts[i - 1];
            // CharSpan offsets are UTF-16 indices of the Java string (checked in T5TokenizerTest)
            starts[i] = spans[i] == null ? previous : Math.max(previous, spans[i].getStart());
        }
        return new TokenizedText(prompt, ids, starts);
    }

    /** [min(n, length − 1) tokens, {@code </s>}, pad…] of exactly {@code length} ids. */
    public long[] ids(TokenizedText t, int length) {
        long[] row = new long[length];
        Arrays.fill(row, pad);
        int keep = Math.min(t.size(), length - 1);
        for (int i = 0; i < keep; i++) {
            row[i] = t.ids()[i];
        }
        row[keep] = eos;
        return row;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
