#!/usr/bin/env python3
"""PyTorch reference of the SD3 MMDiT, rectified flow, samplers, guidance and LoRA; writes the
parity fixtures under diffusion/src/test/resources/fixtures/mmdit/.

Written from ../shared/reference/SD3.md (section numbers cited inline), not copied from diffusers.
Functional style over a dict of tensors in diffusers key names, so the code reads like the Java port.

Regenerate (fixed seeds, CPU, float32, one thread; Debian python3-torch 1.13). Inputs and weights are
bit-identical run to run; outputs agree to ~1e-6 (reduction order may vary between processes):
    /usr/bin/python3 tools/reference/sd3_reference.py
CI never runs this script; the generated files are committed.

Fixtures (each < 1 MB):
  <variant>/transformer/config.json + diffusion_pytorch_model.safetensors   diffusers layout
  <variant>/forward.safetensors     inputs, debug intermediates, expected `sample`
  sd3-tiny/sampling.safetensors     schedule, one CFG step, Euler / Heun / DPM++ 2M trajectories
  sd35m-tiny/slg.safetensors        Euler + CFG + skip-layer guidance
  sd35m-tiny/lora_{peft,kohya,comfy}.safetensors + lora_expected.safetensors
  sd3-tiny/train.safetensors        LoRA (PEFT keys), batch, loss per scheme, gradients w.r.t. LoRA A/B
"""
import json
import math
import struct
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "diffusion/src/test/resources/fixtures/mmdit"

# ------------------------------------------------------------------ safetensors writer (SD3.md §6)
DTYPE_RANK = ["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "F64", "I64"]
TORCH_DTYPE = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}


def write_safetensors(path, tensors, metadata=None, dtype="F32"):
    """tensors: name -> tensor, or name -> (dtype string, tensor)."""
    items = {}
    for name, t in tensors.items():
        d, t = t if isinstance(t, tuple) else (dtype if t.is_floating_point() else "I64", t)
        t = t.detach().to(TORCH_DTYPE[d]).contiguous()
        raw = t.view(torch.int16) if d == "BF16" else t
        items[name] = (d, list(t.shape), raw.numpy().tobytes())
    order = sorted(items, key=lambda n: (-DTYPE_RANK.index(items[n][0]), n.encode()))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in order:
        d, shape, data = items[name]
        header[name] = {"dtype": d, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    size = path.stat().st_size
    assert size < 1_000_000, f"{path} is {size} bytes"
    print(f"wrote {path.relative_to(ROOT)} ({size} bytes)", file=sys.stderr)


# ------------------------------------------------------------------ configs (SD3.md §1.2)
def tiny_config(**over):
    cfg = {"_class_name": "SD3Transformer2DModel", "sample_size": 8, "patch_size": 2, "in_channels": 4,
           "out_channels": 4, "num_layers": 3, "attention_head_dim": 32, "num_attention_heads": 2,
           "joint_attention_dim": 32, "caption_projection_dim": 64, "pooled_projection_dim": 32,
           "pos_embed_max_size": 8, "dual_attention_layers": [], "qk_norm": None}
    cfg.update(over)
    return cfg


VARIANTS = {
    # plain SD3: stored F16, depth 3 (the last block context_pre_only)
    "sd3-tiny": (tiny_config(), "F16"),
    # SD3.5-medium style: dual attention (attn2) in layer 0, RMS QK-norm; stored BF16
    "sd35m-tiny": (tiny_config(dual_attention_layers=[0], qk_norm="rms_norm"), "BF16"),
    # SD3.5-large style: QK-norm alone; hidden 48 = 2 heads of 24, depth 2, stored F32
    "sd35l-tiny": (tiny_config(num_layers=2, attention_head_dim=24, caption_projection_dim=48,
                               qk_norm="rms_norm"), "F32"),
}


def param_shapes(cfg):
    """Every key and shape of the state dict (SD3.md §1.3), in checkpoint order."""
    D = cfg["num_attention_heads"] * cfg["attention_head_dim"]
    hd, p, cin, cout = cfg["attention_head_dim"], cfg["patch_size"], cfg["in_channels"], cfg["out_channels"]
    M, L = cfg["pos_embed_max_size"], cfg["num_layers"]
    s = {}

    def lin(name, o, i):
        s[name + ".weight"], s[name + ".bias"] = [o, i], [o]

    s["pos_embed.proj.weight"], s["pos_embed.proj.bias"] = [D, cin, p, p], [D]
    s["pos_embed.pos_embed"] = [1, M * M, D]
    lin("time_text_embed.timestep_embedder.linear_1", D, 256)
    lin("time_text_embed.timestep_embedder.linear_2", D, D)
    lin("time_text_embed.text_embedder.linear_1", D, cfg["pooled_projection_dim"])
    lin("time_text_embed.text_embedder.linear_2", D, D)
    lin("context_embedder", cfg["caption_projection_dim"], cfg["joint_attention_dim"])
    for i in range(L):
        b = f"transformer_blocks.{i}."
        last, dual = i == L - 1, i in cfg["dual_attention_layers"]
        lin(b + "norm1.linear", (9 if dual else 6) * D, D)
        lin(b + "norm1_context.linear", (2 if last else 6) * D, D)
        for n in ["to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj", "to_out.0"]:
            lin(b + "attn." + n, D, D)
        if not last:
            lin(b + "attn.to_add_out", D, D)
        if cfg["qk_norm"]:
            for n in ["norm_q", "norm_k", "norm_added_q", "norm_added_k"]:
                s[b + "attn." + n + ".weight"] = [hd]
        if dual:
            for n in ["to_q", "to_k", "to_v", "to_out.0"]:
                lin(b + "attn2." + n, D, D)
            s[b + "attn2.norm_q.weight"], s[b + "attn2.norm_k.weight"] = [hd], [hd]
        lin(b + "ff.net.0.proj", 4 * D, D)
        lin(b + "ff.net.2", D, 4 * D)
        if not last:
            lin(b + "ff_context.net.0.proj", 4 * D, D)
            lin(b + "ff_context.net.2", D, 4 * D)
    lin("norm_out.linear", 2 * D, D)
    lin("proj_out", p * p * cout, D)
    return s


def random_weights(cfg, gen, store_dtype):
    """Random weights, rounded to the storage dtype and back, so the file holds them exactly."""
    w = {}
    for name, shape in param_shapes(cfg).items():
        t = torch.randn(shape, generator=gen)
        if name.endswith("pos_embed.pos_embed"):
            t = t * 0.5
        elif name.endswith("norm_q.weight") or name.endswith("norm_k.weight") or "norm_added" in name:
            t = 1.0 + 0.2 * t
        elif name.endswith(".bias"):
            t = t * 0.05
        else:
            fan_in = math.prod(shape[1:])
            t = t / math.sqrt(fan_in) * (0.6 if "norm" in name else 1.0)
        w[name] = t.to(TORCH_DTYPE[store_dtype]).float()
    return w


# ------------------------------------------------------------------ model (SD3.md §1.4)
class Model:
    """Forward over a weight dict. `adapters`: list of {module: (A [r,in], B [out,r], scale)} (§5.2)."""

    def __init__(self, cfg, w, adapters=()):
        self.cfg, self.w, self.adapters = cfg, w, list(adapters)
        self.D = cfg["num_attention_heads"] * cfg["attention_head_dim"]
        self.debug = {}

    def linear(self, name, x):
        y = F.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])
        for ad in self.adapters:
            if name in ad:
                a, b, scale = ad[name]
                y = y + scale * F.linear(F.linear(x, a), b)
        return y

    def ln(self, x):  # §1.4.1: LayerNorm without affine, eps 1e-6
        return F.layer_norm(x, (x.shape[-1],), eps=1e-6)

    def rms(self, name, x):  # §1.3 SD3.5 extras: RMSNorm over head_dim, eps 1e-6, with weight
        if name + ".weight" not in self.w:
            return x
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.w[name + ".weight"]

    def heads(self, x):  # [B, L, D] -> [B, H, L, hd]
        B, L, _ = x.shape
        return x.view(B, L, self.cfg["num_attention_heads"], -1).transpose(1, 2)

    @staticmethod
    def sdpa(q, k, v):
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), dim=-1)
        o = a @ v  # [B, H, L, hd]
        return o.transpose(1, 2).reshape(o.shape[0], o.shape[2], -1)

    def patch_embed(self, x):  # §1.4 steps 1-2
        p, M = self.cfg["patch_size"], self.cfg["pos_embed_max_size"]
        h, w_ = x.shape[2] // p, x.shape[3] // p
        t = F.conv2d(x, self.w["pos_embed.proj.weight"], self.w["pos_embed.proj.bias"], stride=p)
        t = t.flatten(2).transpose(1, 2)  # [B, h*w, D], n = row*w + col
        assert h <= M and w_ <= M
        top, left = (M - h) // 2, (M - w_) // 2
        table = self.w["pos_embed.pos_embed"].reshape(1, M, M, -1)[:, top:top + h, left:left + w_, :]
        return t + table.reshape(1, h * w_, -1)

    @staticmethod
    def timestep_sinusoid(t):  # §1.4 step 3: flip_sin_to_cos, shift 0, 256 dims
        k = torch.arange(128, dtype=torch.float32)
        freqs = torch.exp(-math.log(10000.0) * k / 128)
        a = t.float()[:, None] * freqs[None]
        return torch.cat([torch.cos(a), torch.sin(a)], dim=-1)

    def temb(self, t, y):  # §1.4 steps 3-4
        e = self.timestep_sinusoid(t)
        tt = self.linear("time_text_embed.timestep_embedder.linear_2",
                         F.silu(self.linear("time_text_embed.timestep_embedder.linear_1", e)))
        ty = self.linear("time_text_embed.text_embedder.linear_2",
                         F.silu(self.linear("time_text_embed.text_embedder.linear_1", y)))
        return tt + ty

    def ff(self, prefix, x):  # FeedForward: Linear, tanh-GELU, Linear (§1.4.1)
        return self.linear(prefix + ".net.2", F.gelu(self.linear(prefix + ".net.0.proj", x), approximate="tanh"))

    def joint_attention(self, b, xh, ch):  # §1.4.1 joint attention: image tokens first
        q, k, v = (self.heads(self.linear(b + "attn." + n, xh)) for n in ("to_q", "to_k", "to_v"))
        q, k = self.rms(b + "attn.norm_q", q), self.rms(b + "attn.norm_k", k)
        cq, ck, cv = (self.heads(self.linear(b + "attn." + n, ch)) for n in ("add_q_proj", "add_k_proj", "add_v_proj"))
        cq, ck = self.rms(b + "attn.norm_added_q", cq), self.rms(b + "attn.norm_added_k", ck)
        o = self.sdpa(torch.cat([q, cq], 2), torch.cat([k, ck], 2), torch.cat([v, cv], 2))
        n = xh.shape[1]
        a_x = self.linear(b + "attn.to_out.0", o[:, :n])
        a_c = self.linear(b + "attn.to_add_out", o[:, n:]) if b + "attn.to_add_out.weight" in self.w else None
        return a_x, a_c

    def self_attention2(self, b, x):  # §1.4.3 attn2: image-only self-attention with QK-norm
        q, k, v = (self.heads(self.linear(b + "attn2." + n, x)) for n in ("to_q", "to_k", "to_v"))
        q, k = self.rms(b + "attn2.norm_q", q), self.rms(b + "attn2.norm_k", k)
        return self.linear(b + "attn2.to_out.0", self.sdpa(q, k, v))

    def block(self, i, x, c, temb):  # §1.4.1-1.4.3
        b = f"transformer_blocks.{i}."
        D, last = self.D, i == self.cfg["num_layers"] - 1
        dual = i in self.cfg["dual_attention_layers"]
        m = self.linear(b + "norm1.linear", F.silu(temb))
        ch = m.chunk(9 if dual else 6, dim=1)
        sh1, sc1, g1, sh2, sc2, g2 = ch[:6]
        nx = self.ln(x)
        xh = nx * (1 + sc1[:, None]) + sh1[:, None]
        mc = self.linear(b + "norm1_context.linear", F.silu(temb))
        if last:  # AdaLayerNormContinuous: scale first, then shift (§1.4.2, §7.2)
            csc, csh = mc.chunk(2, dim=1)
            chh = self.ln(c) * (1 + csc[:, None]) + csh[:, None]
        else:
            csh1, csc1, cg1, csh2, csc2, cg2 = mc.chunk(6, dim=1)
            chh = self.ln(c) * (1 + csc1[:, None]) + csh1[:, None]
        a_x, a_c = self.joint_attention(b, xh, chh)
        x = x + g1[:, None] * a_x
        if dual:
            sh3, sc3, g3 = ch[6:]
            x = x + g3[:, None] * self.self_attention2(b, nx * (1 + sc3[:, None]) + sh3[:, None])
        x = x + g2[:, None] * self.ff(b + "ff", self.ln(x) * (1 + sc2[:, None]) + sh2[:, None])
        if last:
            return x, None
        c = c + cg1[:, None] * a_c
        c = c + cg2[:, None] * self.ff(b + "ff_context", self.ln(c) * (1 + csc2[:, None]) + csh2[:, None])
        return x, c

    def forward(self, x, t, ctx, pooled, skip_layers=()):
        B, _, H, W = x.shape
        p, C = self.cfg["patch_size"], self.cfg["out_channels"]
        h = self.patch_embed(x)
        temb = self.temb(t, pooled)
        c = self.linear("context_embedder", ctx)
        self.debug.update({"debug.tokens": h, "debug.temb": temb, "debug.context": c})
        for i in range(self.cfg["num_layers"]):
            if i in skip_layers:  # §1.4 step 6: skip_layers skips whole blocks
                continue
            h, c = self.block(i, h, c, temb)
            self.debug[f"debug.block{i}.x"] = h
        m = self.linear("norm_out.linear", F.silu(temb))
        scale, shift = m.chunk(2, dim=1)  # §1.4 step 7: scale first
        h = self.ln(h) * (1 + scale[:, None]) + shift[:, None]
        h = self.linear("proj_out", h)  # [B, N, p*p*C]
        h = h.reshape(B, H // p, W // p, p, p, C)  # §1.4 step 9
        return torch.einsum("nhwpqc->nchpwq", h).reshape(B, C, H, W)


# ------------------------------------------------------------------ rectified flow (SD3.md §2)
def shift_sigma(s, shift=3.0):
    return shift * s / (1 + (shift - 1) * s)


def training_sigmas(shift=3.0, n=1000):  # §2.2 training table, float32 like the scheduler
    t = torch.linspace(1, n, n, dtype=torch.float32).flip(0)
    return shift_sigma(t / n, shift)


def inference_sigmas(steps, shift=3.0):  # §2.2 set_timesteps: shift applied again, then a 0
    table = training_sigmas(shift)
    smax, smin = table[0].item(), table[-1].item()
    u = torch.linspace(smax * 1000, smin * 1000, steps, dtype=torch.float64) / 1000
    s = shift_sigma(u, shift).to(torch.float32)
    return torch.cat([s, torch.zeros(1)])


def guided(model, ctx, pooled, g, slg=None):
    """v(x, sigma, i) with CFG over one [uncond, cond] batch (§2.5); ctx/pooled = cat([uncond, cond]).
    slg = (layers, scale, start, stop, steps): skip-layer guidance on the cond half."""
    def v(x, sigma, i):
        B = x.shape[0]
        t = torch.full((2 * B,), sigma * 1000.0, dtype=torch.float32)
        out = model.forward(torch.cat([x, x]), t, ctx, pooled)
        vu, vc = out[:B], out[B:]
        res = vu + g * (vc - vu)
        if slg is not None:
            layers, scale, start, stop, steps = slg
            if steps * start < i < steps * stop:
                vs = model.forward(x, t[:B], ctx[B:], pooled[B:], skip_layers=layers)
                res = res + (vc - vs) * scale
        return res
    return v


def euler(v, x, sigmas, traj):  # §2.4
    for i in range(len(sigmas) - 1):
        s, sn = sigmas[i].item(), sigmas[i + 1].item()
        x = x + (sn - s) * v(x, s, i)
        traj.append(x)
    return x


def heun(v, x, sigmas, traj):  # k-diffusion sample_heun with s_churn 0; d = velocity for flow
    for i in range(len(sigmas) - 1):
        s, sn = sigmas[i].item(), sigmas[i + 1].item()
        d = v(x, s, i)
        if sn == 0:
            x = x + (sn - s) * d
        else:
            x2 = x + (sn - s) * d
            d2 = v(x2, sn, i)
            x = x + (sn - s) * (d + d2) / 2
        traj.append(x)
    return x


def dpmpp_2m(v, x, sigmas, traj):
    """DPM-Solver++(2M) as SAI's sd3_impls / k-diffusion run it on a flow model: denoised = x - sigma*v,
    t = -log(sigma); first and last steps are first order."""
    old = None
    for i in range(len(sigmas) - 1):
        s, sn = sigmas[i].item(), sigmas[i + 1].item()
        den = x - s * v(x, s, i)
        if old is None or sn == 0:
            x = (sn / s) * x + (1 - sn / s) * den  # = sigma_fn(t_next)/sigma_fn(t)*x - expm1(-h)*den
        else:
            h = math.log(s) - math.log(sn)
            h_last = math.log(sigmas[i - 1].item()) - math.log(s)
            r = h_last / h
            dd = (1 + 1 / (2 * r)) * den - (1 / (2 * r)) * old
            x = (sn / s) * x - math.expm1(-h) * dd
        old = den
        traj.append(x)
    return x


# ------------------------------------------------------------------ training (SD3.md §2.6)
def u_logit_normal(n, mean=0.0, std=1.0):
    return torch.sigmoid(mean + std * n)


def u_mode(u0, mode_scale=1.29):
    return 1 - u0 - mode_scale * (torch.cos(math.pi * u0 / 2) ** 2 - 1 + u0)


def loss_weighting(scheme, sigmas):
    if scheme == "sigma_sqrt":
        return sigmas ** -2.0
    if scheme == "cosmap":
        return 2 / (math.pi * (1 - 2 * sigmas + 2 * sigmas ** 2))
    return torch.ones_like(sigmas)


def training_loss(model, x0, noise, index, ctx, pooled, scheme, precondition):
    sig = training_sigmas()[index]  # sigma = S((1000 - index)/1000)
    s = sig.view(-1, 1, 1, 1)
    xs = (1 - s) * x0 + s * noise
    pred = model.forward(xs, sig * 1000, ctx, pooled)
    if precondition:
        pred, target = pred * (-s) + xs, x0
    else:
        target = noise - x0
    w = loss_weighting(scheme, s)
    return torch.mean((w * (pred - target) ** 2).reshape(x0.shape[0], -1), 1).mean()


# ------------------------------------------------------------------ SAI names (SD3.md §1.6, §5.3)
def sai_modules(cfg):
    """SAI module -> (diffusers modules it splits into, swap halves?)."""
    L, m = cfg["num_layers"], {}
    m["context_embedder"] = (["context_embedder"], False)
    m["t_embedder.mlp.0"] = (["time_text_embed.timestep_embedder.linear_1"], False)
    m["t_embedder.mlp.2"] = (["time_text_embed.timestep_embedder.linear_2"], False)
    m["y_embedder.mlp.0"] = (["time_text_embed.text_embedder.linear_1"], False)
    m["y_embedder.mlp.2"] = (["time_text_embed.text_embedder.linear_2"], False)
    m["final_layer.linear"] = (["proj_out"], False)
    m["final_layer.adaLN_modulation.1"] = (["norm_out.linear"], True)
    for i in range(L):
        j, b, last = f"joint_blocks.{i}.", f"transformer_blocks.{i}.", i == L - 1
        m[j + "x_block.attn.qkv"] = ([b + "attn.to_q", b + "attn.to_k", b + "attn.to_v"], False)
        m[j + "x_block.attn.proj"] = ([b + "attn.to_out.0"], False)
        m[j + "x_block.mlp.fc1"] = ([b + "ff.net.0.proj"], False)
        m[j + "x_block.mlp.fc2"] = ([b + "ff.net.2"], False)
        m[j + "x_block.adaLN_modulation.1"] = ([b + "norm1.linear"], False)
        m[j + "context_block.attn.qkv"] = ([b + "attn.add_q_proj", b + "attn.add_k_proj", b + "attn.add_v_proj"], False)
        m[j + "context_block.adaLN_modulation.1"] = ([b + "norm1_context.linear"], last)
        if not last:
            m[j + "context_block.attn.proj"] = ([b + "attn.to_add_out"], False)
            m[j + "context_block.mlp.fc1"] = ([b + "ff_context.net.0.proj"], False)
            m[j + "context_block.mlp.fc2"] = ([b + "ff_context.net.2"], False)
        if i in cfg["dual_attention_layers"]:
            m[j + "x_block.attn2.qkv"] = ([b + "attn2.to_q", b + "attn2.to_k", b + "attn2.to_v"], False)
            m[j + "x_block.attn2.proj"] = ([b + "attn2.to_out.0"], False)
    return m


def swap_halves(t):
    a, b = t.chunk(2, dim=0)
    return torch.cat([b, a], 0)


def merge_sai_lora(cfg, w, deltas):
    """Independent path for kohya/ComfyUI files: build the SAI weight (fused qkv, SAI half order), add
    the delta there, convert back to diffusers names. deltas: SAI module -> delta W [out_sai, in]."""
    w = dict(w)
    for sai, (targets, swap) in sai_modules(cfg).items():
        if sai not in deltas:
            continue
        fused = torch.cat([w[t + ".weight"] for t in targets], 0)
        if swap:
            fused = swap_halves(fused)  # diffusers (scale, shift) -> SAI (shift, scale)
        fused = fused + deltas[sai]
        if swap:
            fused = swap_halves(fused)
        for t, part in zip(targets, fused.chunk(len(targets), 0)):
            w[t + ".weight"] = part
    return w


# ------------------------------------------------------------------ fixture builders
def save_transformer(name, cfg, w, store):
    d = OUT / name / "transformer"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    write_safetensors(d / "diffusion_pytorch_model.safetensors", w, {"format": "pt"}, dtype=store)


def forward_inputs(cfg, gen, batch=2, T=7, H=8, W=12):
    return {"hidden_states": torch.randn(batch, cfg["in_channels"], H, W, generator=gen),
            "timestep": torch.tensor([987.3808, 250.5])[:batch],
            "encoder_hidden_states": torch.randn(batch, T, cfg["joint_attention_dim"], generator=gen),
            "pooled_projections": torch.randn(batch, cfg["pooled_projection_dim"], generator=gen)}


def run_forward(model, inp, skip=()):
    return model.forward(inp["hidden_states"], inp["timestep"], inp["encoder_hidden_states"],
                         inp["pooled_projections"], skip_layers=skip)


def make_forward(name, cfg, w, gen):
    inp = forward_inputs(cfg, gen)
    model = Model(cfg, w)
    out = run_forward(model, inp)
    write_safetensors(OUT / name / "forward.safetensors", {**inp, **model.debug, "sample": out})
    return inp


def sampling_inputs(cfg, gen, T=7):
    return {"noise": torch.randn(1, cfg["in_channels"], 8, 12, generator=gen),
            "context": torch.randn(2, T, cfg["joint_attention_dim"], generator=gen),  # [uncond, cond]
            "pooled": torch.randn(2, cfg["pooled_projection_dim"], generator=gen)}


def make_sampling(cfg, w, gen):
    model, inp = Model(cfg, w), sampling_inputs(cfg, gen)
    g, out = 5.0, {}
    for n in (4, 28):
        out[f"sigmas.{n}"] = inference_sigmas(n)
    out["sigmas.train"] = training_sigmas()
    v = guided(model, inp["context"], inp["pooled"], g)
    out["cfg_step.v"] = v(inp["noise"], out["sigmas.4"][0].item(), 0)
    for sampler, steps in ((euler, 4), (heun, 3), (dpmpp_2m, 4)):
        traj = []
        out[f"{sampler.__name__}.out"] = sampler(v, inp["noise"], inference_sigmas(steps), traj)
        out[f"{sampler.__name__}.traj"] = torch.stack(traj)
    write_safetensors(OUT / "sd3-tiny" / "sampling.safetensors", {**inp, **out},
                      {"guidance": str(g), "shift": "3.0", "steps": "euler 4, heun 3, dpmpp_2m 4"})


def make_slg(cfg, w, gen):
    model, inp = Model(cfg, w), sampling_inputs(cfg, gen)
    slg = ([1], 2.8, 0.1, 0.6, 4)  # active at steps i = 1, 2 of 4 (0.4 < i < 2.4)
    v = guided(model, inp["context"], inp["pooled"], 4.5, slg)
    traj = []
    x = euler(v, inp["noise"], inference_sigmas(4), traj)
    write_safetensors(OUT / "sd35m-tiny" / "slg.safetensors", {**inp, "euler.out": x, "euler.traj": torch.stack(traj)},
                      {"guidance": "4.5", "slg_layers": "1", "slg_scale": "2.8", "slg_start": "0.1",
                       "slg_stop": "0.6", "steps": "4"})


def lora_pair(gen, out_dim, in_dim, r):
    return (torch.randn(r, in_dim, generator=gen) / math.sqrt(in_dim),
            torch.randn(out_dim, r, generator=gen) * 0.5 / math.sqrt(r))


PEFT_DEFAULT = ["attn.to_q", "attn.to_k", "attn.to_v", "attn.to_out.0",
                "attn.add_q_proj", "attn.add_k_proj", "attn.add_v_proj", "attn.to_add_out"]


def peft_adapter(cfg, w, gen, r, targets):
    ad = {}
    for i in range(cfg["num_layers"]):
        for t in targets:
            mod = f"transformer_blocks.{i}.{t}"
            if mod + ".weight" in w:
                o, n = w[mod + ".weight"].shape
                a, b = lora_pair(gen, o, n, r)
                ad[mod] = (a, b)
    return ad


def make_lora(cfg, w, gen, inp):
    name, r, D = "sd35m-tiny", 4, cfg["num_attention_heads"] * cfg["attention_head_dim"]
    # PEFT: default targets + user targets (attn2.to_out.0, ff_context.net.2); alpha 8 -> scale 2 (§5.1-5.2)
    peft = peft_adapter(cfg, w, gen, r, PEFT_DEFAULT + ["attn2.to_out.0", "ff_context.net.2"])
    alpha = 8.0
    meta = {"format": "pt", "lora_adapter_metadata": json.dumps(
        {"transformer.r": r, "transformer.lora_alpha": alpha,
         "transformer.target_modules": sorted({m.split(".", 2)[2] for m in peft})}, sort_keys=True)}
    tensors = {}
    for m, (a, b) in peft.items():
        tensors[f"transformer.{m}.lora_A.weight"], tensors[f"transformer.{m}.lora_B.weight"] = a, b
    write_safetensors(OUT / name / "lora_peft.safetensors", tensors, meta)
    peft_scaled = lambda s: {m: (a, b, s * alpha / r) for m, (a, b) in peft.items()}

    # kohya (§5.3): SAI names with '_', fused qkv, .alpha scalars; one module without alpha (-> rank)
    sai = sai_modules(cfg)
    chosen = [k for k in sai if k.startswith("joint_blocks.") or k.startswith("final_layer")
              or k in ("context_embedder", "t_embedder.mlp.0", "y_embedder.mlp.2")]
    kohya, k_deltas = {}, {}
    for idx, k in enumerate(chosen):
        targets, _ = sai[k]
        out_dim = sum(w[t + ".weight"].shape[0] for t in targets)
        down, up = lora_pair(gen, out_dim, w[targets[0] + ".weight"].shape[1], r)
        key = "lora_unet_" + k.replace(".", "_")
        kohya[key + ".lora_down.weight"], kohya[key + ".lora_up.weight"] = down, up
        a = None if k == "final_layer.linear" else [1.0, 2.0, 4.0][idx % 3]
        if a is not None:
            kohya[key + ".alpha"] = torch.tensor(a)
        k_deltas[k] = ((a if a is not None else r) / r, up @ down)
    write_safetensors(OUT / name / "lora_kohya.safetensors", kohya, {"ss_network_dim": str(r)})

    # ComfyUI generic keys: diffusion_model.<SAI path>.lora_up/lora_down(.weight), .alpha (§5.3)
    comfy, c_deltas = {}, {}
    for k in [k for k in sai if ".x_block.attn" in k or "context_block.attn.qkv" in k or "adaLN" in k]:
        targets, _ = sai[k]
        out_dim = sum(w[t + ".weight"].shape[0] for t in targets)
        down, up = lora_pair(gen, out_dim, w[targets[0] + ".weight"].shape[1], r)
        comfy[f"diffusion_model.{k}.lora_down.weight"], comfy[f"diffusion_model.{k}.lora_up.weight"] = down, up
        comfy[f"diffusion_model.{k}.alpha"] = torch.tensor(2.0)
        c_deltas[k] = (2.0 / r, up @ down)
    write_safetensors(OUT / name / "lora_comfy.safetensors", comfy)

    def sai_delta(deltas, mult):
        return {k: mult * s * d for k, (s, d) in deltas.items()}

    out = {"scale.peft": torch.tensor(1.0), "scale.kohya": torch.tensor(0.8), "scale.comfy": torch.tensor(1.0),
           "scale.all.peft": torch.tensor(0.5), "scale.all.kohya": torch.tensor(0.7)}
    out["sample.base"] = run_forward(Model(cfg, w), inp)
    out["sample.peft"] = run_forward(Model(cfg, w, [peft_scaled(1.0)]), inp)
    out["sample.kohya"] = run_forward(Model(cfg, merge_sai_lora(cfg, w, sai_delta(k_deltas, 0.8))), inp)
    out["sample.comfy"] = run_forward(Model(cfg, merge_sai_lora(cfg, w, sai_delta(c_deltas, 1.0))), inp)
    out["sample.all"] = run_forward(Model(cfg, merge_sai_lora(cfg, w, sai_delta(k_deltas, 0.7)),
                                          [peft_scaled(0.5)]), inp)
    # Converted deltas in diffusers names, for checking the key conversion alone (kohya, multiplier 1)
    conv = merge_sai_lora(cfg, {k: torch.zeros_like(v) for k, v in w.items()}, sai_delta(k_deltas, 1.0))
    for k in ("transformer_blocks.0.attn.to_k", f"transformer_blocks.{cfg['num_layers'] - 1}.norm1_context.linear",
              "norm_out.linear", "transformer_blocks.0.attn2.to_v", "proj_out"):
        out[f"delta.kohya.{k}"] = conv[k + ".weight"]
    write_safetensors(OUT / name / "lora_expected.safetensors", {**inp, **out})


def make_train(cfg, w, gen):
    r, T = 4, 7
    peft = peft_adapter(cfg, w, gen, r, PEFT_DEFAULT)
    params = {}
    for m, (a, b) in peft.items():
        params[f"transformer.{m}.lora_A.weight"] = a.clone().requires_grad_(True)
        params[f"transformer.{m}.lora_B.weight"] = b.clone().requires_grad_(True)
    ad = {m: (params[f"transformer.{m}.lora_A.weight"], params[f"transformer.{m}.lora_B.weight"], 1.0) for m in peft}
    batch = {"x0": torch.randn(2, cfg["in_channels"], 8, 12, generator=gen),
             "noise": torch.randn(2, cfg["in_channels"], 8, 12, generator=gen),
             "index": torch.tensor([137, 802]),
             "context": torch.randn(2, T, cfg["joint_attention_dim"], generator=gen),
             "pooled": torch.randn(2, cfg["pooled_projection_dim"], generator=gen)}
    model, out = Model(cfg, w, [ad]), {}
    args = (batch["x0"], batch["noise"], batch["index"], batch["context"], batch["pooled"])
    for scheme, pre in (("logit_normal", 1), ("sigma_sqrt", 1), ("cosmap", 0), ("cosmap", 1)):
        loss = training_loss(model, *args, scheme, pre)
        out[f"loss.{scheme}.{pre}"] = loss.detach()
        if scheme == "logit_normal":
            grads = torch.autograd.grad(loss, list(params.values()))
            for (k, _), g in zip(params.items(), grads):
                out["grad." + k] = g
    # timestep sampling and weighting from fixed draws (§2.6)
    n, u0 = torch.randn(6, generator=gen), torch.rand(6, generator=gen)
    out.update({"ts.n": n, "ts.u_logit_normal": u_logit_normal(n), "ts.u0": u0, "ts.u_mode": u_mode(u0),
                "ts.index": (u_logit_normal(n) * 1000).long()})
    sig = training_sigmas()[out["ts.index"]]
    out.update({"ts.sigma": sig, "ts.w_sigma_sqrt": loss_weighting("sigma_sqrt", sig),
                "ts.w_cosmap": loss_weighting("cosmap", sig)})
    tensors = {**batch, **{k: v.detach() for k, v in params.items()}, **out}
    write_safetensors(OUT / "sd3-tiny" / "train.safetensors", tensors,
                      {"lora_rank": str(r), "lora_alpha": str(r), "loss_keys": "loss.<weighting>.<precondition>"})


def self_checks():
    e = Model.timestep_sinusoid(torch.tensor([1000.0]))[0]  # SD3.md §1.4 step 3 test vector
    assert torch.allclose(e[:4], torch.tensor([0.562379, 0.789627, 0.439983, -0.023645]), atol=1e-4)  # fp32 argument rounding (e[2] = 0.4399279 here)
    assert abs(e[255].item() - 0.107254) < 1e-5
    s = inference_sigmas(4)  # SD3.md §2.2 test vector
    assert torch.allclose(s, torch.tensor([1.0, 0.857692, 0.602151, 0.008929, 0.0]), atol=1e-6), s
    assert abs(inference_sigmas(28)[13].item() - 0.764677) < 1e-6


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    self_checks()
    weights = {}
    for i, (name, (cfg, store)) in enumerate(VARIANTS.items()):
        gen = torch.Generator().manual_seed(4000 + i)
        w = random_weights(cfg, gen, store)
        weights[name] = w
        save_transformer(name, cfg, w, store)
        inp = make_forward(name, cfg, w, gen)
        if name == "sd3-tiny":
            make_sampling(cfg, w, torch.Generator().manual_seed(4100))
            make_train(cfg, w, torch.Generator().manual_seed(4200))
        if name == "sd35m-tiny":
            make_slg(cfg, w, torch.Generator().manual_seed(4300))
            make_lora(cfg, w, torch.Generator().manual_seed(4400), inp)


if __name__ == "__main__":
    main()
