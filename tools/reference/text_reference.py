#!/usr/bin/env python3
"""PyTorch reference of SD3's text side: the CLIP BPE tokenizer, CLIP text models (CLIP-L quick-GELU,
OpenCLIP bigG exact GELU), the T5 encoder, and prompt assembly (encode_prompt) with this studio's
77-token CLIP chunks for long prompts. Writes the fixtures under
diffusion/src/test/resources/fixtures/text/.

Written from ../shared/reference/SD3.md §4 (section numbers cited inline). The CLIP tokenizer is a
transcription of openai/CLIP's clip/simple_tokenizer.py (bytes_to_unicode, the word regex, the greedy
lowest-rank BPE, the vocabulary built from the merges) with one substitution: ftfy is not packaged by
Debian, so `basic_clean`'s ftfy.fix_text is replaced by Unicode NFC, the only part of fix_text's
default that is a plain normalisation (ftfy's NFC step). What ftfy would additionally do and we do not:
mojibake repair ("cafÃ©" -> "café"), curly quotes to straight ones ("don’t" keeps ’ as its own token,
so it is not the "'t" contraction), ligatures ("ﬁ" -> "fi"), full-width to half-width ("Ａ" -> "a"),
removal of terminal escapes and some control characters. Prompts typed on a keyboard are unaffected;
pasted curly quotes and full-width text tokenize differently from an ftfy-equipped reference.

Functional style over dicts of tensors in diffusers / transformers key names, so the code reads like
the Java port; importable (clip_forward, t5_forward, encode_prompt, ClipBpe, load_folder ...).

Regenerate (fixed seeds, CPU, float32, one thread; Debian python3-torch 1.13, python3-regex,
python3-sentencepiece):
    /usr/bin/python3 tools/reference/text_reference.py
The real-merges id fixture needs ../shared/data/clip/bpe_simple_vocab_16e6.txt.gz (never committed);
without it that one file is left as it is. CI never runs this script; the generated files are committed.
"""
import gzip
import html
import io
import json
import math
import sys
import unicodedata
from pathlib import Path

import regex
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sd3_reference import write_safetensors  # noqa: E402  (same tiny writer as the MMDiT fixtures)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "diffusion/src/test/resources/fixtures/text"
REAL_MERGES = ROOT.parent / "shared/data/clip/bpe_simple_vocab_16e6.txt.gz"
CLIP_LEN = 77  # SD3.md §4.4 model_max_length

# ================================================================== CLIP tokenizer (SD3.md §4.4)
CLIP_WORDS = regex.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|"
                           r"[^\s\p{L}\p{N}]+", regex.IGNORECASE)
BOS_TEXT, EOS_TEXT = "<|startoftext|>", "<|endoftext|>"


def byte_symbols():
    """GPT-2's reversible byte -> printable character table: printable Latin-1 bytes map to
    themselves, the other 68 bytes to U+0100 onwards in byte order."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), 256))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return {b: table[b] for b in keep + [b for b in range(256) if b not in keep]}


def clip_clean(text):
    """basic_clean (ftfy -> NFC, html.unescape twice, strip) then whitespace_clean, then lower()."""
    text = unicodedata.normalize("NFC", text)
    text = html.unescape(html.unescape(text)).strip()
    text = regex.sub(r"\s+", " ", text).strip()
    return text.lower()


class ClipBpe:
    """openai's SimpleTokenizer over a merge list (vocab: 256 byte symbols, the same with </w>, one
    entry per merge, then <|startoftext|>, <|endoftext|>)."""

    def __init__(self, merges):
        self.sym = byte_symbols()
        self.merges = [tuple(m) for m in merges]
        vocab = list(self.sym.values())
        vocab += [v + "</w>" for v in vocab]
        vocab += ["".join(m) for m in self.merges]
        vocab += [BOS_TEXT, EOS_TEXT]
        self.vocab = {t: i for i, t in enumerate(vocab)}
        self.rank = {m: i for i, m in enumerate(self.merges)}
        self.bos, self.eos = self.vocab[BOS_TEXT], self.vocab[EOS_TEXT]

    @staticmethod
    def from_openai_gz(path):
        lines = gzip.open(path).read().decode("utf-8").split("\n")
        return ClipBpe([l.split() for l in lines[1:49152 - 256 - 2 + 1]])

    @staticmethod
    def from_folder(folder):
        """A diffusers tokenizer/ folder: vocab.json + merges.txt (checked to agree)."""
        lines = (Path(folder) / "merges.txt").read_text(encoding="utf-8").split("\n")
        tok = ClipBpe([l.split() for l in lines[1:] if l.strip()])
        assert json.loads((Path(folder) / "vocab.json").read_text(encoding="utf-8")) == tok.vocab
        return tok

    def bpe(self, word):
        if word in (BOS_TEXT, EOS_TEXT):
            return [word]
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        while len(parts) > 1:
            pairs = {(a, b) for a, b in zip(parts, parts[1:])}
            best = min(pairs, key=lambda p: self.rank.get(p, math.inf))
            if best not in self.rank:
                break
            merged, i = [], 0
            while i < len(parts):
                if i < len(parts) - 1 and (parts[i], parts[i + 1]) == best:
                    merged.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return parts

    def encode(self, text):
        """Token ids without BOS/EOS."""
        ids = []
        for word in CLIP_WORDS.findall(clip_clean(text)):
            symbols = "".join(self.sym[b] for b in word.encode("utf-8"))
            ids += [self.vocab[p] for p in self.bpe(symbols)]
        return ids

    def save_folder(self, folder, pad_token):
        """vocab.json, merges.txt, special_tokens_map.json, tokenizer_config.json as in SD3's tokenizer*/."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        (folder / "merges.txt").write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in self.merges),
                                           encoding="utf-8")
        special = {"bos_token": BOS_TEXT, "eos_token": EOS_TEXT, "unk_token": EOS_TEXT, "pad_token": pad_token}
        (folder / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n")
        config = {"tokenizer_class": "CLIPTokenizer", "model_max_length": CLIP_LEN, "do_lower_case": True,
                  **special}
        (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")


def train_tiny_bpe(corpus, n_merges):
    """A tiny merge list learned from `corpus` (most frequent pair first, ties by the pair itself),
    so that a vocabulary can be committed without copying the real merges."""
    sym = byte_symbols()
    words = {}
    for line in corpus:
        for w in CLIP_WORDS.findall(clip_clean(line)):
            s = "".join(sym[b] for b in w.encode("utf-8"))
            key = tuple(s[:-1]) + (s[-1] + "</w>",)
            words[key] = words.get(key, 0) + 1
    merges = []
    for _ in range(n_merges):
        counts = {}
        for w, n in words.items():
            for p in zip(w, w[1:]):
                counts[p] = counts.get(p, 0) + n
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], p))
        merges.append(best)
        new = {}
        for w, n in words.items():
            out, i = [], 0
            while i < len(w):
                if i < len(w) - 1 and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] = new.get(tuple(out), 0) + n
        words = new
    return merges


def clip_chunks(ids, bos, eos, pad, chunks=None):
    """This studio's long-prompt rule: 75 tokens per chunk, each [BOS, ≤75 tokens, EOS, pad...] of
    77; at least one chunk (the empty prompt is [BOS, EOS, pad...]); `chunks` forces a count (extra
    chunks are empty prompts, as ComfyUI pads the shorter of CLIP-L/G)."""
    body = CLIP_LEN - 2
    pieces = [ids[i:i + body] for i in range(0, len(ids), body)] or [[]]
    if chunks is not None:
        assert chunks >= len(pieces)
        pieces += [[]] * (chunks - len(pieces))
    return [[bos] + p + [eos] + [pad] * (body - len(p)) for p in pieces]


# ================================================================== CLIP text model (SD3.md §4.1-4.3)
def clip_config(hidden, inter, layers, heads, proj, act, vocab):
    return {"architectures": ["CLIPTextModelWithProjection"], "model_type": "clip_text_model",
            "hidden_size": hidden, "intermediate_size": inter, "num_hidden_layers": layers,
            "num_attention_heads": heads, "max_position_embeddings": CLIP_LEN, "vocab_size": vocab,
            "hidden_act": act, "layer_norm_eps": 1e-5, "projection_dim": proj,
            "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1, "torch_dtype": "float32"}


def clip_shapes(c):
    W, I = c["hidden_size"], c["intermediate_size"]
    s = {"text_model.embeddings.token_embedding.weight": [c["vocab_size"], W],
         "text_model.embeddings.position_embedding.weight": [c["max_position_embeddings"], W]}
    for n in range(c["num_hidden_layers"]):
        p = f"text_model.encoder.layers.{n}."
        for m in ["q_proj", "k_proj", "v_proj", "out_proj"]:
            s[p + f"self_attn.{m}.weight"], s[p + f"self_attn.{m}.bias"] = [W, W], [W]
        s[p + "layer_norm1.weight"], s[p + "layer_norm1.bias"] = [W], [W]
        s[p + "mlp.fc1.weight"], s[p + "mlp.fc1.bias"] = [I, W], [I]
        s[p + "mlp.fc2.weight"], s[p + "mlp.fc2.bias"] = [W, I], [W]
        s[p + "layer_norm2.weight"], s[p + "layer_norm2.bias"] = [W], [W]
    s["text_model.final_layer_norm.weight"], s["text_model.final_layer_norm.bias"] = [W], [W]
    s["text_projection.weight"] = [c["projection_dim"], W]
    return s


def random_weights(shapes, gen):
    """Norm weights 1 + N(0, 0.1²), embeddings and the T5 bias table N(0, 1), Linear weights
    N(0, 1/fan_in) (activations stay O(1)), biases N(0, 0.1²)."""
    w = {}
    for k, shape in shapes.items():
        t = torch.randn(shape, generator=gen)
        if "norm" in k and k.endswith(".weight"):
            w[k] = 1.0 + 0.1 * t
        elif "embedding" in k or k in ("shared.weight",) or "relative_attention_bias" in k:
            w[k] = t
        elif len(shape) == 2:
            w[k] = t / math.sqrt(shape[1])
        else:
            w[k] = 0.1 * t
    return w


ST_DTYPE = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}


def read_safetensors(path):
    """name -> tensor (fp32 for floating dtypes) of one .safetensors file (SD3.md §6)."""
    import struct
    raw = Path(path).read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        data = bytearray(raw[8 + n + a:8 + n + b])
        d = info["dtype"]
        if d == "BF16":
            t = torch.frombuffer(data, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(data, dtype=ST_DTYPE[d])
        t = t.reshape(info["shape"])
        out[name] = t.float() if t.is_floating_point() else t
    return out


def read_folder(folder):
    """model.safetensors, or the shards listed by model.safetensors.index.json."""
    folder = Path(folder)
    index = folder / "model.safetensors.index.json"
    if not index.exists():
        return read_safetensors(folder / "model.safetensors")
    out = {}
    for shard in sorted(set(json.loads(index.read_text())["weight_map"].values())):
        out.update(read_safetensors(folder / shard))
    return out


def clip_forward(w, c, ids):
    """ids [B, 77] int64 -> dict(last_hidden [B,77,W] after final LN, penultimate [B,77,W] = hidden_states[-2]
    without final LN, pooled [B,P] = text_projection(final-LN'd hidden at the EOS position))."""
    B, L = ids.shape
    W, H = c["hidden_size"], c["num_attention_heads"]
    eps = c["layer_norm_eps"]
    act = {"quick_gelu": lambda u: u * torch.sigmoid(1.702 * u), "gelu": F.gelu}[c["hidden_act"]]
    x = w["text_model.embeddings.token_embedding.weight"][ids] + \
        w["text_model.embeddings.position_embedding.weight"][:L]
    causal = torch.full((L, L), float("-inf")).triu(1)  # key j > query i hidden (SD3.md §4.3)
    states = [x]
    for n in range(c["num_hidden_layers"]):
        p = f"text_model.encoder.layers.{n}."
        lin = lambda t, m: F.linear(t, w[p + m + ".weight"], w[p + m + ".bias"])  # noqa: E731
        h = F.layer_norm(x, (W,), w[p + "layer_norm1.weight"], w[p + "layer_norm1.bias"], eps)
        q, k, v = (lin(h, "self_attn." + m).view(B, L, H, W // H).transpose(1, 2) for m in ["q_proj", "k_proj", "v_proj"])
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(W // H) + causal, dim=-1) @ v
        x = x + lin(a.transpose(1, 2).reshape(B, L, W), "self_attn.out_proj")
        h = F.layer_norm(x, (W,), w[p + "layer_norm2.weight"], w[p + "layer_norm2.bias"], eps)
        x = x + lin(act(lin(h, "mlp.fc1")), "mlp.fc2")
        states.append(x)
    last = F.layer_norm(x, (W,), w["text_model.final_layer_norm.weight"], w["text_model.final_layer_norm.bias"], eps)
    eos = eos_positions(ids, c)
    pooled = last[torch.arange(B), eos] @ w["text_projection.weight"].T
    return {"last_hidden": last, "penultimate": states[-2], "pooled": pooled}


def eos_positions(ids, c):
    """transformers' rule (SD3.md §4.3): eos_token_id 2 in config (legacy) -> argmax of the ids (the first
    highest id, i.e. the first <|endoftext|>); otherwise the first id equal to eos_token_id."""
    if c["eos_token_id"] == 2:
        return ids.argmax(dim=-1)
    return (ids == c["eos_token_id"]).int().argmax(dim=-1)


# ================================================================== T5 encoder (SD3.md §4.5)
def t5_config(d_model, d_kv, heads, d_ff, layers, vocab, buckets, max_distance):
    return {"architectures": ["T5EncoderModel"], "model_type": "t5", "d_model": d_model, "d_kv": d_kv,
            "num_heads": heads, "d_ff": d_ff, "num_layers": layers, "vocab_size": vocab,
            "relative_attention_num_buckets": buckets, "relative_attention_max_distance": max_distance,
            "feed_forward_proj": "gated-gelu", "dense_act_fn": "gelu_new", "is_gated_act": True,
            "layer_norm_epsilon": 1e-6, "pad_token_id": 0, "eos_token_id": 1, "tie_word_embeddings": False,
            "torch_dtype": "float32"}


def t5_shapes(c):
    D, inner, F_ = c["d_model"], c["d_kv"] * c["num_heads"], c["d_ff"]
    s = {"shared.weight": [c["vocab_size"], D]}
    for j in range(c["num_layers"]):
        p = f"encoder.block.{j}.layer."
        for m in "qkv":
            s[p + f"0.SelfAttention.{m}.weight"] = [inner, D]
        s[p + "0.SelfAttention.o.weight"] = [D, inner]
        if j == 0:
            s[p + "0.SelfAttention.relative_attention_bias.weight"] = [c["relative_attention_num_buckets"], c["num_heads"]]
        s[p + "0.layer_norm.weight"] = [D]
        s[p + "1.DenseReluDense.wi_0.weight"] = [F_, D]
        s[p + "1.DenseReluDense.wi_1.weight"] = [F_, D]
        s[p + "1.DenseReluDense.wo.weight"] = [D, F_]
        s[p + "1.layer_norm.weight"] = [D]
    s["encoder.final_layer_norm.weight"] = [D]
    return s


def t5_bucket(rel, num_buckets, max_distance):
    """Bidirectional relative-position bucket of rel = key − query (SD3.md §4.5), float32 as T5 does."""
    n = num_buckets // 2
    out = (rel > 0).long() * n
    a = rel.abs()
    exact = n // 2
    large = exact + (torch.log(a.float() / exact) / math.log(max_distance / exact) * (n - exact)).long()
    large = torch.minimum(large, torch.full_like(large, n - 1))
    return out + torch.where(a < exact, a, large)


def t5_rms(x, weight, eps):
    var = x.float().pow(2).mean(-1, keepdim=True)  # variance in fp32 (T5LayerNorm)
    return weight * (x * torch.rsqrt(var + eps)).to(weight.dtype)


def t5_forward(w, c, ids):
    """ids [B, L] int64 -> last_hidden_state [B, L, d_model]. No mask (SD3 passes none), no score scaling,
    position bias from block 0 reused by every block."""
    B, L = ids.shape
    H, dk, eps = c["num_heads"], c["d_kv"], c["layer_norm_epsilon"]
    x = w["shared.weight"][ids]
    pos = torch.arange(L)
    buckets = t5_bucket(pos[None, :] - pos[:, None], c["relative_attention_num_buckets"],
                        c["relative_attention_max_distance"])  # [Lq, Lk]
    bias = w["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"][buckets]  # [L, L, H]
    bias = bias.permute(2, 0, 1)[None]  # [1, H, L, L]
    for j in range(c["num_layers"]):
        p = f"encoder.block.{j}.layer."
        h = t5_rms(x, w[p + "0.layer_norm.weight"], eps)
        q, k, v = (F.linear(h, w[p + f"0.SelfAttention.{m}.weight"]).view(B, L, H, dk).transpose(1, 2) for m in "qkv")
        scores = q @ k.transpose(-1, -2) + bias
        a = torch.softmax(scores.float(), dim=-1).type_as(scores) @ v
        x = x + F.linear(a.transpose(1, 2).reshape(B, L, H * dk), w[p + "0.SelfAttention.o.weight"])
        h = t5_rms(x, w[p + "1.layer_norm.weight"], eps)
        g = F.gelu(F.linear(h, w[p + "1.DenseReluDense.wi_0.weight"]), approximate="tanh")
        x = x + F.linear(g * F.linear(h, w[p + "1.DenseReluDense.wi_1.weight"]), w[p + "1.DenseReluDense.wo.weight"])
    return t5_rms(x, w["encoder.final_layer_norm.weight"], eps)


# ================================================================== T5 tokenizer (SD3.md §4.6)
def spm_train(corpus, vocab_size):
    import sentencepiece as spm
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=model, vocab_size=vocab_size,
                                   model_type="unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
                                   normalization_rule_name="nmt_nfkc", num_threads=1, seed_sentencepiece_size=10000,
                                   character_coverage=1.0, minloglevel=2)
    return model.getvalue()


def _proto_fields(buf):
    """(field number, wire type, value) of one protobuf message (varints and length-delimited only)."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            val, i = _varint(buf, i)
        elif wire == 2:
            n, i = _varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wire == 5:
            val, i = buf[i:i + 4], i + 4
        elif wire == 1:
            val, i = buf[i:i + 8], i + 8
        else:
            raise ValueError(f"wire type {wire}")
        yield field, wire, val


def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


def spm_to_tokenizer_json(model_bytes):
    """Hugging Face tokenizer.json (Unigram) equivalent to a SentencePiece model, laid out as T5's:
    Precompiled charsmap + collapse of repeated spaces, WhitespaceSplit + Metaspace, '</s>' appended."""
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_proto=model_bytes)
    charsmap = b""
    for field, _, val in _proto_fields(model_bytes):
        if field == 3:  # ModelProto.normalizer_spec
            for f2, _, v2 in _proto_fields(val):
                if f2 == 2:  # NormalizerSpec.precompiled_charsmap
                    charsmap = v2
    import base64
    vocab = [[sp.id_to_piece(i), 0.0 if sp.is_control(i) or sp.is_unknown(i) else sp.get_score(i)]
             for i in range(sp.get_piece_size())]
    added = [{"id": i, "content": sp.id_to_piece(i), "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i in range(3)]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "WhitespaceSplit"},
            {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}]},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                                    {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                           "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 2, "vocab": vocab, "byte_fallback": False},
    }


def t5_ids(sp, text, length):
    """T5TokenizerFast(padding="max_length", truncation=True, max_length=length): pieces, cut to
    length − 1, then '</s>' (1), then pads (0) (SD3.md §4.6)."""
    ids = sp.encode(text)[:length - 1] + [1]
    return ids + [0] * (length - len(ids))


# ================================================================== prompt assembly (SD3.md §4.7)
def encode_prompt(m, prompt, prompt_2=None, prompt_3=None, t5_len=256, chunks=None):
    """context [1, 77k + t5_len, D_t5] and pooled [1, P_L + P_G] for one prompt; m is load_folder()'s dict.
    k = the larger of CLIP-L's and CLIP-G's chunk counts (or `chunks`); hidden states of the chunks are
    concatenated along the sequence, pooled comes from the first chunk."""
    p1, p2, p3 = prompt, prompt if prompt_2 is None else prompt_2, prompt if prompt_3 is None else prompt_3
    ids_l, ids_g = m["tok"].encode(p1), m["tok_2"].encode(p2)
    k = chunks or max(len(clip_chunks(ids_l, 0, 0, 0)), len(clip_chunks(ids_g, 0, 0, 0)))
    hidden, pooled = [], []
    for ids, pad, name in [(ids_l, m["pad"], "text_encoder"), (ids_g, m["pad_2"], "text_encoder_2")]:
        tok = m["tok"]
        rows = torch.tensor(clip_chunks(ids, tok.bos, tok.eos, pad, k))  # [k, 77]
        out = clip_forward(m[name]["w"], m[name]["config"], rows)
        hidden.append(out["penultimate"].reshape(1, k * CLIP_LEN, -1))
        pooled.append(out["pooled"][:1])
    clip = torch.cat(hidden, dim=-1)  # [1, 77k, W_L + W_G]
    d = m["text_encoder_3"]["config"]["d_model"]
    clip = F.pad(clip, (0, d - clip.shape[-1]))  # zero-pad channels to the T5 width
    t5 = t5_forward(m["text_encoder_3"]["w"], m["text_encoder_3"]["config"],
                    torch.tensor([t5_ids(m["sp"], p3, t5_len)]))
    return {"context": torch.cat([clip, t5], dim=1), "pooled": torch.cat(pooled, dim=-1),
            "ids_l": ids_l, "ids_g": ids_g, "chunks": k}


def load_folder(folder):
    """A diffusers SD3 folder's text side (tokenizer*, text_encoder*) as plain dicts of fp32 tensors."""
    import sentencepiece as spm
    folder = Path(folder)
    m = {"tok": ClipBpe.from_folder(folder / "tokenizer"), "tok_2": ClipBpe.from_folder(folder / "tokenizer_2")}
    for key, sub in [("pad", "tokenizer"), ("pad_2", "tokenizer_2")]:
        pad = json.loads((folder / sub / "special_tokens_map.json").read_text())["pad_token"]
        m[key] = m["tok"].vocab[pad if isinstance(pad, str) else pad["content"]]
    m["sp"] = spm.SentencePieceProcessor(model_file=str(folder / "tokenizer_3" / "spiece.model"))
    for name in ["text_encoder", "text_encoder_2", "text_encoder_3"]:
        m[name] = {"config": json.loads((folder / name / "config.json").read_text()), "w": read_folder(folder / name)}
    return m


# ================================================================== fixtures
CORPUS = [
    "a photograph of an astronaut riding a horse on the moon, highly detailed, 8k",
    "a red cube on top of a blue sphere next to a green cylinder in a white room",
    "portrait of an old woman with silver hair, soft window light, film grain, shallow depth of field",
    "two cats and a dog sitting on a wooden bench in a park during autumn, leaves falling",
    "the quick brown fox jumps over the lazy dog while the cat's tail isn't moving",
    "a watercolor painting of a lighthouse at sunset with waves crashing against the rocks",
    "a café in paris, naïve art style, crème brûlée on the table, über cozy",
    "neon sign saying OPEN 24/7 above a door, rain, reflections on the street, cyberpunk city",
]

TRICKY = [
    "", "   ", "a cat", "A CAT", "Hello, World!!!", "don't DON'T we'll they're I'm you've she'd",
    "don’t “quoted” ‘single’", "x=1; y = [2, 3]; z -> {a: b} @#$%^&*()_+-=~`|\\/<>?",
    "1234567.89 and 3.14159, 1/2, 100%, #1, 2024-06-12", "café naïve crème brûlée Ångström über Straße",
    "cafe\u0301 (combining accent)", "ΟΔΥΣΣΕΥΣ Σίσυφος İstanbul ǅemal", "😀 a dog 🐶 with 👨\u200d👩\u200d👧 family 🇫🇷 flag",
    "東京タワーの夜景、美しい", "한국어 텍스트 and 中文字符", "tabs\tand\nnewlines\r\n  and\u00a0nbsp\u3000ideographic",
    "R&D &amp; &amp;amp; &lt;3 &#39;quote&#39; &#x1F600; &notit; &copy2024 &#0; &bogus;",
    "a <|endoftext|> inside and <|startoftext|> too", "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "ﬁne ligature, full-width ＡＢＣ１２３, mojibake cafÃ©", "...!!!???---___", "'s 's's 'S 'T 'LL",
    "mixedCASE camelCaseWords snake_case_words kebab-case-words",
]


def long_caption(n_words):
    base = ("a sunlit kitchen with a wooden table where a tabby cat sleeps beside a bowl of oranges, "
            "a steaming cup of tea, an open book with yellowed pages, and a window showing a garden "
            "full of roses, tulips and a small stone fountain under a pale blue sky").split()
    return " ".join(base[i % len(base)] + ("," if i % 11 == 10 else "") for i in range(n_words))


def tricky_strings():
    return TRICKY + [long_caption(300), long_caption(120)]


def save_model(folder, config, weights, dtype, shards=1):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    keys = list(weights)
    if shards == 1:
        write_safetensors(folder / "model.safetensors", weights, dtype=dtype)
        return
    per = math.ceil(len(keys) / shards)
    index = {"metadata": {"total_size": 0}, "weight_map": {}}
    for s in range(shards):
        name = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {k: weights[k] for k in keys[s * per:(s + 1) * per]}
        write_safetensors(folder / name, part, dtype=dtype)
        index["weight_map"].update({k: name for k in part})
        index["metadata"]["total_size"] += sum(t.numel() * (2 if dtype != "F32" else 4) for t in part.values())
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n")


def stored(w, dtype):
    """Weights as the Java side will read them: rounded to the stored dtype, computed in fp32."""
    t = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}[dtype]
    return {k: v.to(t).float() for k, v in w.items()}


def make_tiny(gen):
    """sd3-text-tiny/: tokenizers and the three text encoders, sized to plug into the MMDiT sd3-tiny
    fixture (joint_attention_dim 32 = T5 d_model, pooled_projection_dim 32 = 16 + 16)."""
    root = OUT / "sd3-text-tiny"
    corpus = CORPUS + tricky_strings()
    tok = ClipBpe(train_tiny_bpe(corpus, 300))
    tok.save_folder(root / "tokenizer", EOS_TEXT)  # CLIP-L pads with <|endoftext|> (SD3.md §4.4)
    tok.save_folder(root / "tokenizer_2", "!")  # bigG pads with "!" = id 0
    model = spm_train(corpus * 3, 180)
    (root / "tokenizer_3").mkdir(parents=True, exist_ok=True)
    (root / "tokenizer_3" / "spiece.model").write_bytes(model)
    (root / "tokenizer_3" / "tokenizer.json").write_text(
        json.dumps(spm_to_tokenizer_json(model), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    vocab = len(tok.vocab)
    configs = {
        "text_encoder": (clip_config(12, 24, 3, 2, 16, "quick_gelu", vocab), "F16", 1),
        "text_encoder_2": (clip_config(16, 32, 3, 2, 16, "gelu", vocab), "BF16", 1),
        "text_encoder_3": (t5_config(32, 12, 2, 48, 2, 192, 8, 20), "F32", 2),
    }
    models = {}
    for name, (cfg, dtype, shards) in configs.items():
        shapes = t5_shapes(cfg) if name == "text_encoder_3" else clip_shapes(cfg)
        w = random_weights(shapes, gen)
        save_model(root / name, cfg, w, dtype, shards)
        models[name] = {"config": cfg, "w": stored(w, dtype)}
    return root, tok, model, models


def write_html_table():
    """The data of Python's html.unescape (HTML5 named references, the numeric references it remaps,
    the code points it drops) as a Java resource, so the Java cleaner unescapes exactly as basic_clean."""
    import html.entities
    import html as h
    path = ROOT / "diffusion/src/main/resources/studio/diffusion/text/html_unescape.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    hexs = lambda v: " ".join(f"{ord(ch):x}" for ch in v)  # noqa: E731
    lines = ["# generated by tools/reference/text_reference.py from Python's html module (HTML5 table)"]
    lines += [f"E\t{name}\t{hexs(v)}" for name, v in sorted(html.entities.html5.items())]
    lines += [f"C\t{n:x}\t{hexs(v)}" for n, v in sorted(h._invalid_charrefs.items())]
    lines += [f"X\t{n:x}" for n in sorted(h._invalid_codepoints)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_token_fixtures(tok, sp_model):
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    strings = tricky_strings()
    tiny = [{"text": s, "clip": tok.encode(s), "t5": sp.encode(s)} for s in strings]
    (OUT / "tokens_tiny.json").write_text(json.dumps(tiny, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if REAL_MERGES.exists():
        real = ClipBpe.from_openai_gz(REAL_MERGES)
        rows = [{"text": s, "clip": real.encode(s)} for s in strings]
        (OUT / "tokens_clip_real.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n",
                                                   encoding="utf-8")
    print(f"wrote token fixtures ({len(strings)} strings)", file=sys.stderr)


def make_forward_fixtures(tok, models, gen):
    """forward_{clip_l,clip_g,t5}.safetensors: input ids and the expected outputs."""
    for name, key, pad in [("text_encoder", "clip_l", tok.eos), ("text_encoder_2", "clip_g", 0)]:
        c = models[name]["config"]
        rows = clip_chunks(tok.encode(TRICKY[5]), tok.bos, tok.eos, pad, 1)
        rnd = torch.randint(0, tok.bos, (CLIP_LEN,), generator=gen).tolist()
        rnd[40] = tok.eos  # a second EOS later: pooling must take the first
        ids = torch.tensor(rows + [rnd[:30] + [tok.eos] + rnd[31:]])
        out = clip_forward(models[name]["w"], c, ids)
        write_safetensors(OUT / f"forward_{key}.safetensors", {"input_ids": ids, **out})
    c = models["text_encoder_3"]["config"]
    ids = torch.randint(0, c["vocab_size"], (2, 40), generator=gen)
    out = t5_forward(models["text_encoder_3"]["w"], c, ids)
    write_safetensors(OUT / "forward_t5.safetensors", {"input_ids": ids, "last_hidden": out})


def make_conditioning(root):
    m = load_folder(root)
    long = long_caption(110)  # > 75 CLIP tokens: two chunks
    cases = {
        "long": dict(prompt=long, t5_len=64),
        "split": dict(prompt="a red cube", prompt_2=long, prompt_3="a cat on a bench, watercolor", t5_len=16),
        "empty": dict(prompt="", t5_len=16, chunks=2),
    }
    tensors, meta = {}, {}
    for name, kw in cases.items():
        out = encode_prompt(m, **kw)
        tensors[name + ".context"], tensors[name + ".pooled"] = out["context"], out["pooled"]
        meta[name] = json.dumps({k: v for k, v in kw.items()}, ensure_ascii=False)
        print(f"{name}: {out['chunks']} chunks, L {len(out['ids_l'])} / G {len(out['ids_g'])} tokens, "
              f"context {list(out['context'].shape)}", file=sys.stderr)
    write_safetensors(OUT / "conditioning.safetensors", tensors, metadata=meta)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(5)
    write_html_table()
    root, tok, sp_model, models = make_tiny(gen)
    make_token_fixtures(tok, sp_model)
    make_forward_fixtures(tok, models, gen)
    make_conditioning(root)


if __name__ == "__main__":
    main()
