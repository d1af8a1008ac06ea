#!/usr/bin/env python3
"""PyTorch / PIL reference of the feature extractors behind `studio eval fid` and `studio eval clipscore`
(issue 8): image resizes, the FID Inception-v3 (pool3), DINOv2 (CLS of the last layer norm) and the CLIP
image tower. Writes the parity fixtures under eval-geneval/src/test/resources/studio/eval/features/.

Sources (EVAL.md §2):
  * pytorch-fid (mseitzer/pytorch-fid, src/pytorch_fid/inception.py): the FID network is torchvision's
    Inception3 with Mixed_5b..5d = FIDInceptionA, Mixed_6b..6e = FIDInceptionC, Mixed_7b = FIDInceptionE_1,
    Mixed_7c = FIDInceptionE_2 (the block changes are written below); input x in [0, 1] resized with
    F.interpolate(bilinear, align_corners=False) to 299 and mapped to 2x - 1 ("legacy").
  * clean-fid (GaParmar/clean-fid, cleanfid/resize.py "clean"): PIL bicubic on each channel in float mode
    ('F'), clip(0, 255), then the network's (x - 128) / 128.
  * dgm-eval (layer6ai-labs/dgm-eval, dgm_eval/models/dinov2.py) with the torch.hub DINOv2: Resize((S, S),
    BICUBIC) on the PIL RGB image (uint8), ToTensor, ImageNet mean/std; the model's CLS token after the last
    norm; position embeddings interpolated with scale factor (g + 0.1) / M, bicubic, no antialias
    (dinov2/models/vision_transformer.py interpolate_pos_encoding, interpolate_offset = 0.1).
  * openai/CLIP `_transform` as jmhessel/clipscore uses it: Resize(S, BICUBIC) of the short side (PIL, uint8),
    CenterCrop(S), ToTensor, CLIP mean/std; CLIPVisionModelWithProjection (transformers modeling_clip.py)
    in transformers' keys.

Inception-v3 has ~22M parameters, too many to commit. Its fixture weights are therefore a formula that the
Java test evaluates identically (integer arithmetic, then one IEEE double multiply and a cast to float32):
for the tensor with checkpoint key K and element i (row-major),
    seed = FNV-1a 64 of K's UTF-8 bytes
    z = seed + (i + 1) * 0x9E3779B97F4A7C15                          (mod 2^64)
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB; z ^= z >> 31
    u = (z >> 40) / 2^24                                             (24 bits, exact in double, in [0, 1))
and the value is, by parameter kind (all in double, then cast to float32):
    conv.weight  (2u - 1) * sqrt(6 / fan_in)     (He-uniform: the variance ReLU layers keep)
    bn.weight    0.5 + u          bn.bias          0.2 * (2u - 1)
    bn.running_mean 0.2 * (2u - 1)  bn.running_var 0.5 + u
    fc.weight / fc.bias  (2u - 1) * 0.01          (unused by pool3; present as in pytorch-fid's file)
DINOv2 and CLIP use tiny width-generic configs with torch.randn weights (seeded), committed as safetensors.

Regenerate (CPU, float32, one thread; Debian python3-torch 1.13, python3-torchvision 0.14, python3-pil 9.4):
    /usr/bin/python3 tools/reference/features_reference.py
Inputs and weights are bit-identical run to run. CI never runs this script; the generated files are committed.
"""
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from PIL import Image
from torchvision.models.inception import BasicConv2d, InceptionA, InceptionC, InceptionE

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "eval-geneval/src/test/resources/studio/eval/features"
torch.set_num_threads(1)

# ------------------------------------------------------------------ safetensors writer
DTYPES = {"F32": (np.float32, 4), "U8": (np.uint8, 1), "I64": (np.int64, 8)}


def write_safetensors(path, tensors, metadata=None, limit=1_000_000):
    """tensors: name -> numpy array (float32, uint8 or int64)."""
    items = {}
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        d = {np.dtype(np.float32): "F32", np.dtype(np.uint8): "U8", np.dtype(np.int64): "I64"}[a.dtype]
        items[name] = (d, list(a.shape), a.astype(a.dtype.newbyteorder("<")).tobytes())
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(items):
        d, shape, data = items[name]
        header[name] = {"dtype": d, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    size = path.stat().st_size
    assert size < limit, f"{path} is {size} bytes"
    print(f"wrote {path.relative_to(ROOT)} ({size} bytes)", file=sys.stderr)


def f32(t):
    return t.detach().float().contiguous().numpy()


# ------------------------------------------------------------------ test images
def smooth_image(rng, h, w):
    """uint8 RGB [H, W, 3]: coarse noise bilinearly enlarged plus fine noise (edges and texture)."""
    coarse = rng.uniform(0, 255, size=(1, 3, max(2, h // 6), max(2, w // 6))).astype(np.float32)
    big = F.interpolate(torch.from_numpy(coarse), size=(h, w), mode="bilinear", align_corners=False)[0]
    img = big.permute(1, 2, 0).numpy() + rng.normal(0, 12, size=(h, w, 3))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def noise_image(rng, h, w):
    return rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)


# ------------------------------------------------------------------ resizes
def torch_bilinear(img_u8, size):
    """pytorch-fid: ToTensor ([0, 1]) then F.interpolate(bilinear, align_corners=False), no antialias. [3, S, S]"""
    x = torch.from_numpy(img_u8).permute(2, 0, 1).float().div(255)[None]
    return F.interpolate(x, size=size, mode="bilinear", align_corners=False)[0]


def pil_float_bicubic(img_u8, size):
    """clean-fid resize_single_channel: PIL 'F' image per channel, BICUBIC, clip(0, 255). [3, H, W] in [0, 255]"""
    out = []
    for c in range(3):
        im = Image.fromarray(img_u8[:, :, c].astype(np.float32), mode="F")
        out.append(np.asarray(im.resize((size[1], size[0]), resample=Image.BICUBIC)).clip(0, 255))
    return torch.from_numpy(np.stack(out).astype(np.float32))


def pil_u8_bicubic(img_u8, size):
    """torchvision Resize on a PIL RGB image: PIL's 8-bit bicubic. uint8 [H, W, 3]"""
    return np.array(Image.fromarray(img_u8, mode="RGB").resize((size[1], size[0]), resample=Image.BICUBIC))


def make_resize_fixture():
    rng = np.random.default_rng(11)
    a = noise_image(rng, 23, 37)  # worst case: no smoothness to hide errors
    b = smooth_image(rng, 64, 48)
    t = {"a": a, "b": b}
    for name, img in (("a", a), ("b", b)):
        for tag, size in (("up", (53, 47)), ("down", (16, 11)), ("odd", (29, 52))):
            t[f"{name}_bilinear_{tag}"] = f32(torch_bilinear(img, size))
            t[f"{name}_pil_float_{tag}"] = f32(pil_float_bicubic(img, size))
            t[f"{name}_pil_u8_{tag}"] = pil_u8_bicubic(img, size)
    # DINOv2's position grid: bicubic, align_corners=False, no antialias, scale_factor (g + 0.1) / M passed through
    gen = torch.Generator().manual_seed(12)
    for m, g in ((7, 4), (37, 16), (5, 9)):
        grid = torch.randn(1, 3, m, m, generator=gen)
        s_ = float(g + 0.1) / m
        t[f"grid_{m}"] = f32(grid[0])
        t[f"grid_{m}_to_{g}"] = f32(F.interpolate(grid, mode="bicubic", antialias=False, scale_factor=(s_, s_))[0])
    write_safetensors(OUT / "resize.safetensors", t, {"source": "tools/reference/features_reference.py"})


# ------------------------------------------------------------------ Inception-v3 (pytorch-fid)
class FIDInceptionA(InceptionA):
    """pytorch-fid: average pooling without the padded zeros (count_include_pad=False), as TF."""

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch5x5, branch3x3dbl, branch_pool], 1)


class FIDInceptionC(InceptionC):
    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch7x7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        branch7x7dbl = self.branch7x7dbl_1(x)
        for layer in (self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4, self.branch7x7dbl_5):
            branch7x7dbl = layer(branch7x7dbl)
        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch7x7, branch7x7dbl, branch_pool], 1)


class FIDInceptionE(InceptionE):
    """E_1 (Mixed_7b): average pool without padded zeros; E_2 (Mixed_7c): max pool (a TF quirk pytorch-fid keeps)."""

    def __init__(self, in_channels, max_pool):
        super().__init__(in_channels)
        self.max_pool = max_pool

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch3x3 = self.branch3x3_1(x)
        branch3x3 = torch.cat([self.branch3x3_2a(branch3x3), self.branch3x3_2b(branch3x3)], 1)
        branch3x3dbl = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        branch3x3dbl = torch.cat([self.branch3x3dbl_3a(branch3x3dbl), self.branch3x3dbl_3b(branch3x3dbl)], 1)
        if self.max_pool:
            branch_pool = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        else:
            branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch3x3, branch3x3dbl, branch_pool], 1)


def fid_inception_v3():
    """pytorch-fid's fid_inception_v3(): torchvision's Inception3 (1008 classes, no aux head) with the FID blocks."""
    net = torchvision.models.Inception3(num_classes=1008, aux_logits=False, transform_input=False, init_weights=False)
    net.Mixed_5b = FIDInceptionA(192, pool_features=32)
    net.Mixed_5c = FIDInceptionA(256, pool_features=64)
    net.Mixed_5d = FIDInceptionA(288, pool_features=64)
    net.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
    net.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
    net.Mixed_7b = FIDInceptionE(1280, max_pool=False)
    net.Mixed_7c = FIDInceptionE(2048, max_pool=True)
    return net.eval()


def pool3(net, x):
    """pytorch-fid InceptionV3 blocks 0-3 (output block 3: 2048-d pool3) on the network's input x."""
    x = net.Conv2d_1a_3x3(x)
    x = net.Conv2d_2a_3x3(x)
    x = net.Conv2d_2b_3x3(x)
    x = F.max_pool2d(x, kernel_size=3, stride=2)
    x = net.Conv2d_3b_1x1(x)
    x = net.Conv2d_4a_3x3(x)
    x = F.max_pool2d(x, kernel_size=3, stride=2)
    for name in ("Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e",
                 "Mixed_7a", "Mixed_7b", "Mixed_7c"):
        x = getattr(net, name)(x)
    return F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)


M64 = (1 << 64) - 1


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & M64
    return h


def formula_uniform(key, n):
    """u in [0, 1), 24 bits, for elements 0..n-1 of tensor `key` (splitmix64 of seed + (i+1)·golden)."""
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(fnv1a64(key)) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 24)


def formula_value(key, shape):
    n = int(np.prod(shape))
    u = formula_uniform(key, n)
    if key.endswith("conv.weight"):
        fan_in = int(np.prod(shape[1:]))
        v = (2 * u - 1) * math.sqrt(6.0 / fan_in)
    elif key.endswith("bn.weight") or key.endswith("bn.running_var"):
        v = 0.5 + u
    elif key.endswith("bn.bias") or key.endswith("bn.running_mean"):
        v = 0.2 * (2 * u - 1)
    elif key.startswith("fc."):
        v = (2 * u - 1) * 0.01
    else:
        raise KeyError(key)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def make_inception_fixture():
    net = fid_inception_v3()
    state = net.state_dict()
    new_state = {}
    for key, value in state.items():
        new_state[key] = value if key.endswith("num_batches_tracked") else formula_value(key, tuple(value.shape))
    net.load_state_dict(new_state)
    rng = np.random.default_rng(5)
    images = [smooth_image(rng, 40, 32), smooth_image(rng, 40, 32)]
    with torch.no_grad():
        legacy = torch.stack([torch_bilinear(img, (299, 299)) for img in images]) * 2 - 1
        clean = (torch.stack([pil_float_bicubic(img, (299, 299)) for img in images]) - 128) / 128
        t = {"images": np.stack(images), "legacy": f32(pool3(net, legacy)), "clean": f32(pool3(net, clean))}
        # one key per kind, for checking the formula without running the network
        for key in ("Conv2d_1a_3x3.conv.weight", "Mixed_7c.branch_pool.bn.running_var", "Mixed_5b.branch1x1.bn.bias",
                    "fc.bias"):
            t["formula." + key] = f32(new_state[key].flatten()[:64])
        t["formula_u.Conv2d_1a_3x3.conv.weight"] = formula_uniform("Conv2d_1a_3x3.conv.weight", 64).astype(np.float32)
    print("inception pool3 legacy range", float(t["legacy"].min()), float(t["legacy"].max()),
          "mean", float(t["legacy"].mean()), file=sys.stderr)
    print("inception keys", len([k for k in state if not k.endswith("num_batches_tracked")]),
          "params", sum(v.numel() for k, v in state.items() if not k.endswith("num_batches_tracked")), file=sys.stderr)
    write_safetensors(OUT / "inception.safetensors", t, {"source": "tools/reference/features_reference.py"})


# ------------------------------------------------------------------ DINOv2 (hub code, transformers keys)
DINO_TINY = {"architectures": ["Dinov2Model"], "model_type": "dinov2", "hidden_size": 32, "num_hidden_layers": 2,
             "num_attention_heads": 4, "mlp_ratio": 4, "image_size": 28, "patch_size": 4, "num_channels": 3,
             "hidden_act": "gelu", "layer_norm_eps": 1e-6, "layerscale_value": 1.0, "qkv_bias": True,
             "use_swiglu_ffn": False}


def dinov2_weights(cfg, gen):
    d, p, c = cfg["hidden_size"], cfg["patch_size"], cfg["num_channels"]
    n = (cfg["image_size"] // p) ** 2
    hidden = int(d * cfg["mlp_ratio"])
    r = lambda *s, std=0.2: torch.randn(*s, generator=gen) * std  # noqa: E731
    w = {"embeddings.cls_token": r(1, 1, d, std=1.0), "embeddings.mask_token": r(1, d),
         "embeddings.position_embeddings": r(1, n + 1, d, std=1.0),
         "embeddings.patch_embeddings.projection.weight": r(d, c, p, p), "embeddings.patch_embeddings.projection.bias": r(d),
         "layernorm.weight": 1 + r(d), "layernorm.bias": r(d)}
    for i in range(cfg["num_hidden_layers"]):
        b = f"encoder.layer.{i}."
        for name, shape in (("norm1.weight", [d]), ("norm1.bias", [d]), ("norm2.weight", [d]), ("norm2.bias", [d])):
            w[b + name] = (1 if name.endswith("weight") else 0) + r(*shape)
        for name in ("query", "key", "value"):
            w[b + f"attention.attention.{name}.weight"] = r(d, d)
            w[b + f"attention.attention.{name}.bias"] = r(d)
        w[b + "attention.output.dense.weight"] = r(d, d)
        w[b + "attention.output.dense.bias"] = r(d)
        w[b + "layer_scale1.lambda1"] = 1 + r(d)
        w[b + "mlp.fc1.weight"] = r(hidden, d)
        w[b + "mlp.fc1.bias"] = r(hidden)
        w[b + "mlp.fc2.weight"] = r(d, hidden)
        w[b + "mlp.fc2.bias"] = r(d)
        w[b + "layer_scale2.lambda1"] = 1 + r(d)
    return w


def dinov2_forward(w, cfg, pixels):
    """Hub DinoVisionTransformer.forward_features(x)["x_norm_clstoken"], in transformers' key names. pixels [B, 3, S, S]"""
    d, p, heads = cfg["hidden_size"], cfg["patch_size"], cfg["num_attention_heads"]
    eps = cfg["layer_norm_eps"]
    b, _, hgt, wid = pixels.shape
    x = F.conv2d(pixels, w["embeddings.patch_embeddings.projection.weight"], w["embeddings.patch_embeddings.projection.bias"],
                 stride=p).flatten(2).transpose(1, 2)
    x = torch.cat([w["embeddings.cls_token"].expand(b, -1, -1), x], 1)
    pos = w["embeddings.position_embeddings"]
    npatch, n = x.shape[1] - 1, pos.shape[1] - 1
    if not (npatch == n and wid == hgt):  # interpolate_pos_encoding(x, w, h)
        w0, h0 = wid // p, hgt // p
        m = int(math.sqrt(n))
        sx, sy = float(w0 + 0.1) / m, float(h0 + 0.1) / m
        patch_pos = F.interpolate(pos[:, 1:].reshape(1, m, m, d).permute(0, 3, 1, 2), mode="bicubic",
                                  antialias=False, scale_factor=(sx, sy))
        assert (w0, h0) == patch_pos.shape[-2:]
        pos = torch.cat([pos[:, :1], patch_pos.permute(0, 2, 3, 1).reshape(1, -1, d)], 1)
    x = x + pos
    for i in range(cfg["num_hidden_layers"]):
        pre = f"encoder.layer.{i}."
        h = F.layer_norm(x, (d,), w[pre + "norm1.weight"], w[pre + "norm1.bias"], eps)
        q, k, v = (F.linear(h, w[pre + f"attention.attention.{t}.weight"], w[pre + f"attention.attention.{t}.bias"])
                   .reshape(b, -1, heads, d // heads).transpose(1, 2) for t in ("query", "key", "value"))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // heads), -1) @ v
        a = F.linear(a.transpose(1, 2).reshape(b, -1, d), w[pre + "attention.output.dense.weight"],
                     w[pre + "attention.output.dense.bias"])
        x = x + a * w[pre + "layer_scale1.lambda1"]
        h = F.layer_norm(x, (d,), w[pre + "norm2.weight"], w[pre + "norm2.bias"], eps)
        h = F.linear(F.gelu(F.linear(h, w[pre + "mlp.fc1.weight"], w[pre + "mlp.fc1.bias"])),
                     w[pre + "mlp.fc2.weight"], w[pre + "mlp.fc2.bias"])
        x = x + h * w[pre + "layer_scale2.lambda1"]
    return F.layer_norm(x, (d,), w["layernorm.weight"], w["layernorm.bias"], eps)[:, 0]


IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def dgm_eval_dinov2_pixels(img_u8, size):
    """dgm-eval DINOv2Encoder.transform: Resize((S, S), BICUBIC) on PIL, ToTensor, ImageNet Normalize. [3, S, S]"""
    x = torch.from_numpy(pil_u8_bicubic(img_u8, (size, size))).permute(2, 0, 1).float().div(255)
    return (x - torch.tensor(IMAGENET_MEAN)[:, None, None]) / torch.tensor(IMAGENET_STD)[:, None, None]


def make_dinov2_fixture():
    gen = torch.Generator().manual_seed(2)
    w = dinov2_weights(DINO_TINY, gen)
    folder = OUT / "dinov2-tiny"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(DINO_TINY, indent=2) + "\n")
    write_safetensors(folder / "model.safetensors", {k: f32(v) for k, v in w.items()}, {"format": "pt"})
    rng = np.random.default_rng(3)
    images = [smooth_image(rng, 30, 40), smooth_image(rng, 30, 40)]
    t = {"images": np.stack(images)}
    with torch.no_grad():
        for size in (16, 28, 20):  # grid 4 and 5 (interpolated from 7) and 7 (the stored grid)
            px = torch.stack([dgm_eval_dinov2_pixels(img, size) for img in images])
            t[f"pixels_{size}"] = f32(px)
            t[f"cls_{size}"] = f32(dinov2_forward(w, DINO_TINY, px))
    write_safetensors(OUT / "dinov2.safetensors", t, {"source": "tools/reference/features_reference.py"})


# ------------------------------------------------------------------ CLIP image tower (transformers keys)
CLIP_TINY = {"architectures": ["CLIPVisionModelWithProjection"], "model_type": "clip_vision_model", "hidden_size": 32,
             "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "image_size": 16,
             "patch_size": 4, "num_channels": 3, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5,
             "projection_dim": 24}
CLIP_MEAN, CLIP_STD = (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)


def clip_weights(cfg, gen):
    d, p, c, i = cfg["hidden_size"], cfg["patch_size"], cfg["num_channels"], cfg["intermediate_size"]
    n = (cfg["image_size"] // p) ** 2 + 1
    r = lambda *s, std=0.2: torch.randn(*s, generator=gen) * std  # noqa: E731
    w = {"vision_model.embeddings.patch_embedding.weight": r(d, c, p, p), "vision_model.embeddings.class_embedding": r(d),
         "vision_model.embeddings.position_embedding.weight": r(n, d), "vision_model.pre_layrnorm.weight": 1 + r(d),
         "vision_model.pre_layrnorm.bias": r(d), "vision_model.post_layernorm.weight": 1 + r(d),
         "vision_model.post_layernorm.bias": r(d), "visual_projection.weight": r(cfg["projection_dim"], d)}
    for layer in range(cfg["num_hidden_layers"]):
        b = f"vision_model.encoder.layers.{layer}."
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            w[b + f"self_attn.{name}.weight"] = r(d, d)
            w[b + f"self_attn.{name}.bias"] = r(d)
        for ln in ("layer_norm1", "layer_norm2"):
            w[b + ln + ".weight"] = 1 + r(d)
            w[b + ln + ".bias"] = r(d)
        w[b + "mlp.fc1.weight"], w[b + "mlp.fc1.bias"] = r(i, d), r(i)
        w[b + "mlp.fc2.weight"], w[b + "mlp.fc2.bias"] = r(d, i), r(d)
    return w


def clip_vision_forward(w, cfg, pixels):
    """CLIPVisionModelWithProjection(pixel_values).image_embeds (transformers modeling_clip.py)."""
    d, p, heads, eps = cfg["hidden_size"], cfg["patch_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    b = pixels.shape[0]
    x = F.conv2d(pixels, w["vision_model.embeddings.patch_embedding.weight"], stride=p).flatten(2).transpose(1, 2)
    x = torch.cat([w["vision_model.embeddings.class_embedding"].expand(b, 1, -1), x], 1)
    x = x + w["vision_model.embeddings.position_embedding.weight"]
    x = F.layer_norm(x, (d,), w["vision_model.pre_layrnorm.weight"], w["vision_model.pre_layrnorm.bias"], eps)
    for layer in range(cfg["num_hidden_layers"]):
        pre = f"vision_model.encoder.layers.{layer}."
        h = F.layer_norm(x, (d,), w[pre + "layer_norm1.weight"], w[pre + "layer_norm1.bias"], eps)
        q, k, v = (F.linear(h, w[pre + f"self_attn.{t}_proj.weight"], w[pre + f"self_attn.{t}_proj.bias"])
                   .reshape(b, -1, heads, d // heads).transpose(1, 2) for t in ("q", "k", "v"))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // heads), -1) @ v
        x = x + F.linear(a.transpose(1, 2).reshape(b, -1, d), w[pre + "self_attn.out_proj.weight"],
                         w[pre + "self_attn.out_proj.bias"])
        h = F.layer_norm(x, (d,), w[pre + "layer_norm2.weight"], w[pre + "layer_norm2.bias"], eps)
        h = F.linear(h, w[pre + "mlp.fc1.weight"], w[pre + "mlp.fc1.bias"])
        h = h * torch.sigmoid(1.702 * h)  # quick_gelu
        x = x + F.linear(h, w[pre + "mlp.fc2.weight"], w[pre + "mlp.fc2.bias"])
    pooled = F.layer_norm(x[:, 0], (d,), w["vision_model.post_layernorm.weight"], w["vision_model.post_layernorm.bias"], eps)
    return F.linear(pooled, w["visual_projection.weight"])


def openai_clip_pixels(img_u8, size, mean, std):
    """openai/CLIP _transform: Resize(S, BICUBIC) of the short side, CenterCrop(S), ToTensor, Normalize. [3, S, S]"""
    im = torchvision.transforms.Resize(size, interpolation=torchvision.transforms.InterpolationMode.BICUBIC)(
        Image.fromarray(img_u8, mode="RGB"))
    im = torchvision.transforms.CenterCrop(size)(im)
    x = torchvision.transforms.functional.to_tensor(im)
    return (x - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]


def make_clip_fixture():
    gen = torch.Generator().manual_seed(4)
    w = clip_weights(CLIP_TINY, gen)
    folder = OUT / "clip-tiny"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(CLIP_TINY, indent=2) + "\n")
    write_safetensors(folder / "model.safetensors", {k: f32(v) for k, v in w.items()}, {"format": "pt"})
    rng = np.random.default_rng(6)
    wide, tall = smooth_image(rng, 27, 41), smooth_image(rng, 35, 22)  # crops of both orientations, odd margins
    t = {"wide": wide, "tall": tall}
    with torch.no_grad():
        for name, img in (("wide", wide), ("tall", tall)):
            px = openai_clip_pixels(img, CLIP_TINY["image_size"], CLIP_MEAN, CLIP_STD)[None]
            t[f"{name}_pixels"] = f32(px)
            t[f"{name}_embeds"] = f32(clip_vision_forward(w, CLIP_TINY, px))
            half = openai_clip_pixels(img, CLIP_TINY["image_size"], (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))[None]
            t[f"{name}_pixels_pm1"] = f32(half)  # [-1, 1] normalisation (pancap-tiny's image tower)
    write_safetensors(OUT / "clip.safetensors", t, {"source": "tools/reference/features_reference.py"})


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    which = set(sys.argv[1:]) or {"resize", "inception", "dinov2", "clip"}
    if "resize" in which:
        make_resize_fixture()
    if "dinov2" in which:
        make_dinov2_fixture()
    if "clip" in which:
        make_clip_fixture()
    if "inception" in which:
        make_inception_fixture()
