package studio.diffusion.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.ops.Kernels;

/**
 * SD3's three text encoders and their tokenizers, assembling the MMDiT conditioning as diffusers'
 * {@code encode_prompt} does (SD3.md §4.7), extended to long prompts.
 *
 * <p><b>How long prompts are encoded.</b> T5 reads up to {@link TextOptions#t5Length()} positions
 * (256 by default, at most 512): the prompt's first length − 1 tokens, {@code </s>}, pads. CLIP-L and
 * CLIP-G read the prompt in chunks of 77 positions, each {@code [BOS, 75 prompt tokens, EOS, pad…]}
 * (the last chunk holds the remainder); every chunk goes through the encoder on its own, with positions
 * 0–76, and the penultimate hidden states of the chunks are concatenated along the sequence, so the
 * context is {@code [B, 77·k + t5Length, 4096]} (k chunks, CLIP first, T5 second). The pooled vector
 * comes from the <b>first</b> chunk only. Why: a prompt of up to 75 tokens then gives exactly diffusers'
 * conditioning (k = 1); every chunk is in the distribution CLIP was trained on (77 positions, BOS first,
 * EOS present), whereas one longer sequence would need positions CLIP never learned; the MMDiT attends
 * to the whole context, so the later chunks' tokens reach it, while the pooled vector, which drives the
 * global modulation, stays the one SD3 was trained with: the projected EOS state of a single window
 * holding the start of the caption (averaging pooled vectors across chunks would shrink their norm and
 * leave that distribution). This is what ComfyUI does (77-token chunks concatenated, first chunk's pooled
 * output; sd.cpp and A1111 also chunk, ANCHORS.md §2.2). CLIP-L and CLIP-G must have the same number of
 * chunks to be joined on the feature axis; when their prompts differ in length, and across a batch (e.g.
 * the negative prompt of classifier-free guidance), the shorter ones are completed with chunks of the
 * empty prompt {@code [BOS, EOS, pad…]}, as ComfyUI does. At most {@link TextOptions#clipMaxChunks()}
 * chunks are used; anything beyond, and anything past T5's length, is listed in the {@link TokenReport}.
 *
 * <p>Without {@code text_encoder_3/}, T5's part is zeros of width 4096 (diffusers). Usage by the
 * pipeline: {@code load}, {@link #encode(List, NDManager)} for [negative, positive…], then
 * {@link #close()} to free the encoders before sampling.
 */
public final class PromptEncoder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PromptEncoder.class);
    /** T5-XXL's width, used for the zero T5 part when text_encoder_3 is absent (SD3.md §4.7 step 4). */
    static final int DEFAULT_JOINT_DIM = 4096;

    private final NDManager weights;
    private final ClipTokenizer tokenizerL;
    private final ClipTokenizer tokenizerG;
    private final T5Tokenizer tokenizerT5;
    private final TextOptions options;
    private ClipTextModel clipL;
    private ClipTextModel clipG;
    private T5Encoder t5;

    /** Takes ownership of {@code weights} (the manager holding the three models), closed by {@link #close()}. */
    public PromptEncoder(ClipTokenizer tokenizerL, ClipTextModel clipL, ClipTokenizer tokenizerG, ClipTextModel clipG,
                         T5Tokenizer tokenizerT5, T5Encoder t5, TextOptions options, NDManager weights) {
        this.tokenizerL = tokenizerL;
        this.clipL = clipL;
        this.tokenizerG = tokenizerG;
        this.clipG = clipG;
        this.tokenizerT5 = tokenizerT5;
        this.t5 = t5;
        this.options = options;
        this.weights = weights;
        if (jointDim() < clipL.config().hiddenSize() + clipG.config().hiddenSize()) {
            throw new BadInputException("text_encoder_3", "T5 width " + jointDim() + " is narrower than CLIP-L + CLIP-G");
        }
    }

    /**
     * Loads {@code tokenizer/}, {@code tokenizer_2/}, {@code tokenizer_3/}, {@code text_encoder/},
     * {@code text_encoder_2/} and (when present) {@code text_encoder_3/} of a diffusers SD3 folder into a
     * sub-manager of {@code manager}. T5 runs in bf16 when f16 is asked for (its activations overflow
     * in fp16, SD3.md §4.5).
     */
    public static PromptEncoder load(Path model, NDManager manager, Precision precision, TextOptions options)
            throws IOException {
        NDManager w = manager.newSubManager();
        try {
            ClipTextModel l = ClipTextModel.load(model.resolve("text_encoder"), w, precision);
            ClipTextModel g = ClipTextModel.load(model.resolve("text_encoder_2"), w, precision);
            Path t5Folder = model.resolve("text_encoder_3");
            T5Encoder t5 = Files.isDirectory(t5Folder)
                    ? T5Encoder.load(t5Folder, w, precision == Precision.F16 ? Precision.BF16 : precision) : null;
            return new PromptEncoder(ClipTokenizer.load(model.resolve("tokenizer")), l,
                    ClipTokenizer.load(model.resolve("tokenizer_2")), g, T5Tokenizer.load(model.resolve("tokenizer_3")),
                    t5, options, w);
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    public TextOptions options() {
        return options;
    }

    /** The context width: T5's d_model (4096 for SD3). */
    public int jointDim() {
        return t5 != null ? t5.config().dModel() : DEFAULT_JOINT_DIM;
    }

    public Conditioning encode(Prompts prompts, NDManager out) {
        return encode(List.of(prompts), out);
    }

    /**
     * Conditioning for a batch (e.g. [negative, positive] for guidance); every row gets the same number
     * of CLIP chunks. Results (fp32) are created in {@code out}; intermediates are freed.
     */
    public Conditioning encode(List<Prompts> batch, NDManager out) {
        return encode(batch, options, out);
    }

    /**
     * As {@link #encode(List, NDManager)} with this request's {@code options} (e.g. the T5 length of a
     * generation request) instead of the load-time ones.
     */
    public Conditioning encode(List<Prompts> batch, TextOptions options, NDManager out) {
        if (clipL == null) {
            throw new IllegalStateException("the text encoders were freed (close())");
        }
        Tokens tokens = tokenize(batch, options);
        try (NDManager scope = out.newSubManager()) {
            ClipPart l = runClip(clipL, tokenizerL, tokens.clipL, tokens.chunks, scope);
            ClipPart g = runClip(clipG, tokenizerG, tokens.clipG, tokens.chunks, scope);
            NDArray clip = l.hidden.concat(g.hidden, -1); // [B, 77k, W_L + W_G]
            long b = batch.size();
            long padWidth = jointDim() - clip.getShape().get(2);
            if (padWidth > 0) {
                clip = clip.concat(scope.zeros(new Shape(b, clip.getShape().get(1), padWidth)), -1);
            }
            NDArray context = clip.concat(runT5(tokens.t5, options.t5Length(), scope), 1); // [B, 77k + T, D]
            NDArray pooled = l.pooled.concat(g.pooled, -1); // [B, P_L + P_G]
            context.attach(out);
            pooled.attach(out);
            return new Conditioning(context, pooled, tokens.reports);
        }
    }

    /** The token reports of a batch without running any model (e.g. live counters in the UI). */
    public List<TokenReport> report(List<Prompts> batch) {
        return tokenize(batch, options).reports;
    }

    /** Tokens of every prompt and the chunk count shared by the batch. */
    private record Tokens(List<TokenizedText> clipL, List<TokenizedText> clipG, List<TokenizedText> t5, int chunks,
                          List<TokenReport> reports) {}

    private Tokens tokenize(List<Prompts> batch, TextOptions options) {
        Tokens tokens = tokenize(tokenizerL, tokenizerG, tokenizerT5, batch, options);
        for (int i = 0; i < batch.size(); i++) {
            TokenReport r = tokens.reports.get(i);
            if (r.truncated()) {
                LOG.warn("prompt {} of the batch was cut:\n{}", i, r.summary());
            }
        }
        return tokens;
    }

    /**
     * The truncation rule alone, from the tokenizers (no model): what each encoder keeps of each prompt of a batch
     * encoded together (the negative and the positive prompt of classifier-free guidance share the CLIP chunk
     * count). The one implementation of the rule: {@link #encode} applies it, and the server's live token counter
     * reports it, so the text shown as dropped is the text the model does not receive. {@code t5} null: no T5 entry.
     */
    public static List<TokenReport> reports(ClipTokenizer tokenizerL, ClipTokenizer tokenizerG, T5Tokenizer t5,
                                            List<Prompts> batch, TextOptions options) {
        return tokenize(tokenizerL, tokenizerG, t5, batch, options).reports;
    }

    private static Tokens tokenize(ClipTokenizer tokenizerL, ClipTokenizer tokenizerG, T5Tokenizer tokenizerT5,
                                   List<Prompts> batch, TextOptions options) {
        List<TokenizedText> l = new ArrayList<>();
        List<TokenizedText> g = new ArrayList<>();
        List<TokenizedText> t = new ArrayList<>();
        int chunks = 1;
        for (Prompts p : batch) {
            l.add(tokenizerL.encode(p.clipL()));
            g.add(tokenizerG.encode(p.clipG()));
            if (tokenizerT5 != null) {
                t.add(tokenizerT5.encode(p.t5()));
            }
            chunks = Math.max(chunks, Math.max(ClipTokenizer.chunksFor(l.get(l.size() - 1).size()),
                    ClipTokenizer.chunksFor(g.get(g.size() - 1).size())));
        }
        chunks = Math.min(chunks, options.clipMaxChunks());
        List<TokenReport> reports = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            int clipCap = chunks * ClipTokenizer.CHUNK_TOKENS;
            List<TokenReport.Encoder> encoders = new ArrayList<>(List.of(entry("clip_l", l.get(i), clipCap, chunks),
                    entry("clip_g", g.get(i), clipCap, chunks)));
            if (tokenizerT5 != null) {
                encoders.add(entry("t5", t.get(i), options.t5Length() - 1, 1));
            }
            reports.add(new TokenReport(encoders));
        }
        return new Tokens(l, g, t, chunks, reports);
    }

    private static TokenReport.Encoder entry(String name, TokenizedText t, int capacity, int chunks) {
        int kept = Math.min(t.size(), capacity);
        int from = kept < t.size() ? t.starts()[kept] : t.prompt().length();
        return new TokenReport.Encoder(name, t.prompt(), t.size(), kept, capacity, chunks, from, t.textFrom(kept));
    }

    private record ClipPart(NDArray hidden, NDArray pooled) {}

    /** k chunks per prompt through one CLIP: hidden [B, 77k, W] and the first chunk's pooled [B, P], fp32. */
    private static ClipPart runClip(ClipTextModel model, ClipTokenizer tok, List<TokenizedText> texts, int k,
                                    NDManager scope) {
        int b = texts.size();
        int len = ClipTokenizer.LENGTH;
        long[] flat = new long[b * k * len];
        for (int i = 0; i < b; i++) {
            int[] ids = texts.get(i).ids();
            int[] kept = java.util.Arrays.copyOf(ids, Math.min(ids.length, k * ClipTokenizer.CHUNK_TOKENS));
            long[][] rows = tok.chunks(kept, k);
            for (int c = 0; c < k; c++) {
                System.arraycopy(rows[c], 0, flat, (i * k + c) * len, len);
            }
        }
        ClipTextModel.Output o = model.forward(scope.create(flat, new Shape((long) b * k, len)));
        NDArray hidden = toF32(o.penultimate()).reshape(b, (long) k * len, -1);
        NDArray pooled = toF32(o.pooled()).reshape(b, k, -1).get(":, 0, :");
        return new ClipPart(hidden, pooled);
    }

    private NDArray runT5(List<TokenizedText> texts, int len, NDManager scope) {
        int b = texts.size();
        if (t5 == null) {
            return scope.zeros(new Shape(b, len, DEFAULT_JOINT_DIM));
        }
        long[] flat = new long[b * len];
        for (int i = 0; i < b; i++) {
            System.arraycopy(tokenizerT5.ids(texts.get(i), len), 0, flat, i * len, len);
        }
        return toF32(t5.forward(scope.create(flat, new Shape(b, len))));
    }

    private static NDArray toF32(NDArray x) {
        Kernels k = Kernels.of(x);
        return k.precisionOf(x) == Precision.F32 ? x : k.cast(x, Precision.F32);
    }

    /** Frees the three encoders' weights (the tokenizers stay usable for {@link #report}). */
    @Override
    public void close() {
        clipL = null;
        clipG = null;
        t5 = null;
        weights.close();
    }
}
