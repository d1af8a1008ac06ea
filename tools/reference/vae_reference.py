#!/usr/bin/env python3
"""PyTorch reference of the SD3 VAE (AutoencoderKL); writes the parity fixtures under
diffusion/src/test/resources/fixtures/vae/.

Written from ../shared/reference/SD3.md §3 (section numbers cited inline), not copied from diffusers.
Functional style over a dict of tensors in diffusers key names (§3.4), like sd3_reference.py, whose
safetensors writer it reuses.

Regenerate (fixed seeds, CPU, float32, one thread; Debian python3-torch 1.13):
    /usr/bin/python3 tools/reference/vae_reference.py
CI never runs this script; the generated files are committed.

Fixtures (< 1 MB in all):
  tiny/vae/config.json + diffusion_pytorch_model.safetensors   diffusers layout, weights stored F16
  tiny/parity.safetensors    image, eps, expected moments, latents (mean and sampled), decoded image,
                             decoded random latents, debug intermediates
"""
import json
import math
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sd3_reference import ROOT, TORCH_DTYPE, write_safetensors  # noqa: E402

OUT = ROOT / "diffusion/src/test/resources/fixtures/vae"


# ------------------------------------------------------------------ config (SD3.md §3.1)
def tiny_config():
    """Two levels (vae_scale_factor 2), 16 latent channels as SD3, GroupNorm(8) so 16 and 32 divide."""
    return {"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3, "latent_channels": 16,
            "block_out_channels": [16, 32], "down_block_types": ["DownEncoderBlock2D"] * 2,
            "up_block_types": ["UpDecoderBlock2D"] * 2, "layers_per_block": 1, "norm_num_groups": 8,
            "act_fn": "silu", "sample_size": 32, "scaling_factor": 1.5305, "shift_factor": 0.0609,
            "latents_mean": None, "latents_std": None, "use_quant_conv": False, "use_post_quant_conv": False,
            "force_upcast": True, "mid_block_add_attention": True}


def param_shapes(cfg):
    """Every key and shape of the state dict (SD3.md §3.4), encoder then decoder."""
    s = {}
    ch, lat, L = cfg["block_out_channels"], cfg["latent_channels"], cfg["layers_per_block"]

    def conv(name, o, i, k=3):
        s[name + ".weight"], s[name + ".bias"] = [o, i, k, k], [o]

    def norm(name, c):
        s[name + ".weight"], s[name + ".bias"] = [c], [c]

    def resnet(name, i, o):  # §3.3 ResnetBlock2D; conv_shortcut only when in != out
        norm(name + ".norm1", i)
        conv(name + ".conv1", o, i)
        norm(name + ".norm2", o)
        conv(name + ".conv2", o, o)
        if i != o:
            conv(name + ".conv_shortcut", o, i, 1)

    def mid(name, c):  # §3.3 mid block: resnet, attention, resnet
        resnet(name + ".resnets.0", c, c)
        a = name + ".attentions.0."
        norm(a + "group_norm", c)
        for n in ("to_q", "to_k", "to_v", "to_out.0"):
            s[a + n + ".weight"], s[a + n + ".bias"] = [c, c], [c]
        resnet(name + ".resnets.1", c, c)

    conv("encoder.conv_in", ch[0], cfg["in_channels"])
    out = ch[0]
    for i, c in enumerate(ch):
        inp, out = out, c
        for m in range(L):
            resnet(f"encoder.down_blocks.{i}.resnets.{m}", inp if m == 0 else out, out)
        if i < len(ch) - 1:
            conv(f"encoder.down_blocks.{i}.downsamplers.0.conv", out, out)
    mid("encoder.mid_block", ch[-1])
    norm("encoder.conv_norm_out", ch[-1])
    conv("encoder.conv_out", 2 * lat, ch[-1])

    rev = list(reversed(ch))
    conv("decoder.conv_in", rev[0], lat)
    mid("decoder.mid_block", rev[0])
    out = rev[0]
    for i, c in enumerate(rev):
        inp, out = out, c
        for m in range(L + 1):
            resnet(f"decoder.up_blocks.{i}.resnets.{m}", inp if m == 0 else out, out)
        if i < len(rev) - 1:
            conv(f"decoder.up_blocks.{i}.upsamplers.0.conv", out, out)
    norm("decoder.conv_norm_out", rev[-1])
    conv("decoder.conv_out", cfg["out_channels"], rev[-1])
    return s


def random_weights(cfg, gen, store_dtype):
    """Random weights rounded to the storage dtype (so the file holds them exactly); norm weights near 1."""
    w = {}
    for name, shape in param_shapes(cfg).items():
        t = torch.randn(shape, generator=gen)
        if "norm" in name and name.endswith(".weight"):
            t = 1.0 + 0.2 * t
        elif name.endswith(".bias"):
            t = t * 0.05
        else:
            t = t / math.sqrt(math.prod(shape[1:]))
        w[name] = t.to(TORCH_DTYPE[store_dtype]).float()
    return w


# ------------------------------------------------------------------ model (SD3.md §3.3)
class Vae:
    def __init__(self, cfg, w):
        self.cfg, self.w, self.debug = cfg, w, {}
        self.groups = cfg["norm_num_groups"]

    def conv(self, name, x, stride=1, padding=1):
        return F.conv2d(x, self.w[name + ".weight"], self.w[name + ".bias"], stride=stride, padding=padding)

    def gn(self, name, x):  # GroupNorm(groups, eps 1e-6)
        return F.group_norm(x, self.groups, self.w[name + ".weight"], self.w[name + ".bias"], eps=1e-6)

    def resnet(self, name, x):  # §3.3: conv1(silu(norm1 x)), conv2(silu(norm2 h)), shortcut + h
        h = self.conv(name + ".conv1", F.silu(self.gn(name + ".norm1", x)))
        h = self.conv(name + ".conv2", F.silu(self.gn(name + ".norm2", h)))
        if name + ".conv_shortcut.weight" in self.w:
            x = self.conv(name + ".conv_shortcut", x, padding=0)
        return x + h

    def attention(self, name, x):  # §3.3 mid-block attention: one head of dim C, residual
        B, C, H, W = x.shape
        t = self.gn(name + ".group_norm", x).reshape(B, C, H * W).transpose(1, 2)  # [B, HW, C]
        lin = lambda n, v: F.linear(v, self.w[name + "." + n + ".weight"], self.w[name + "." + n + ".bias"])
        q, k, v = lin("to_q", t), lin("to_k", t), lin("to_v", t)
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(C), dim=-1) @ v
        o = lin("to_out.0", a).transpose(1, 2).reshape(B, C, H, W)
        return o + x

    def mid(self, name, x):
        x = self.resnet(name + ".resnets.0", x)
        x = self.attention(name + ".attentions.0", x)
        return self.resnet(name + ".resnets.1", x)

    def encode(self, x):
        """image [B, 3, H, W] in [-1, 1] -> moments [B, 2·latent, H/f, W/f] (mean, logvar)."""
        ch, L = self.cfg["block_out_channels"], self.cfg["layers_per_block"]
        h = self.conv("encoder.conv_in", x)
        for i in range(len(ch)):
            for m in range(L):
                h = self.resnet(f"encoder.down_blocks.{i}.resnets.{m}", h)
            if i < len(ch) - 1:  # §3.3 Downsample2D: pad (0,1,0,1) then 3x3 stride 2, padding 0
                h = self.conv(f"encoder.down_blocks.{i}.downsamplers.0.conv", F.pad(h, (0, 1, 0, 1)), 2, 0)
            self.debug[f"debug.encoder.down{i}"] = h
        h = self.mid("encoder.mid_block", h)
        self.debug["debug.encoder.mid"] = h
        return self.conv("encoder.conv_out", F.silu(self.gn("encoder.conv_norm_out", h)))

    def decode(self, z):
        """z [B, latent, h, w] (un-normalised) -> image [B, 3, h·f, w·f]."""
        n, L = len(self.cfg["block_out_channels"]), self.cfg["layers_per_block"]
        h = self.mid("decoder.mid_block", self.conv("decoder.conv_in", z))
        self.debug["debug.decoder.mid"] = h
        for i in range(n):
            for m in range(L + 1):
                h = self.resnet(f"decoder.up_blocks.{i}.resnets.{m}", h)
            if i < n - 1:  # §3.3 Upsample2D: nearest x2, then 3x3 padding 1
                h = self.conv(f"decoder.up_blocks.{i}.upsamplers.0.conv", F.interpolate(h, scale_factor=2.0, mode="nearest"))
            self.debug[f"debug.decoder.up{i}"] = h
        return self.conv("decoder.conv_out", F.silu(self.gn("decoder.conv_norm_out", h)))


# ------------------------------------------------------------------ latent normalisation (SD3.md §3.2)
def moments_to_latent(cfg, moments, eps=None):
    """mean (eps None) or mean + std·eps, logvar clamped to [-30, 20], then (z - shift)·scale."""
    mean, logvar = moments.chunk(2, dim=1)
    z = mean if eps is None else mean + torch.exp(0.5 * logvar.clamp(-30.0, 20.0)) * eps
    return (z - cfg["shift_factor"]) * cfg["scaling_factor"]


def latent_to_vae(cfg, latents):  # §2.5 decode: z / scale + shift
    return latents / cfg["scaling_factor"] + cfg["shift_factor"]


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    cfg, gen = tiny_config(), torch.Generator().manual_seed(5000)
    w = random_weights(cfg, gen, "F16")
    d = OUT / "tiny" / "vae"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    write_safetensors(d / "diffusion_pytorch_model.safetensors", w, {"format": "pt"}, dtype="F16")

    vae = Vae(cfg, w)
    image = torch.rand(2, 3, 12, 16, generator=gen) * 2 - 1  # H, W not equal: 6 x 8 latents
    lat = cfg["latent_channels"]
    eps = torch.randn(2, lat, 6, 8, generator=gen)
    moments = vae.encode(image)
    out = {"image": image, "eps": eps, "moments": moments,
           "latents.mean": moments_to_latent(cfg, moments), "latents.sample": moments_to_latent(cfg, moments, eps)}
    z = torch.randn(2, lat, 5, 7, generator=gen)  # odd latent sizes for the decoder
    out["z"] = z
    out["decoded.z"] = vae.decode(latent_to_vae(cfg, z))
    out["decoded.mean"] = vae.decode(latent_to_vae(cfg, out["latents.mean"]))
    out.update(vae.debug)
    write_safetensors(OUT / "tiny" / "parity.safetensors", out,
                      {"scaling_factor": str(cfg["scaling_factor"]), "shift_factor": str(cfg["shift_factor"])})


if __name__ == "__main__":
    main()
