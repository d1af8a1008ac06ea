#!/usr/bin/env python3
"""Convert the feature networks' published PyTorch checkpoints to the safetensors `studio eval fid` loads.
Nothing is downloaded: point it at files you already have.

  inception  pytorch-fid's pt_inception-2015-12-05-6726825d.pth (github.com/mseitzer/pytorch-fid releases)
             -> one .safetensors with the same (torchvision) keys: Conv2d_1a_3x3.conv.weight, ..., fc.weight, fc.bias
                (fc.* and *.num_batches_tracked are kept; the loader expects and ignores them).
  dinov2     the torch.hub DINOv2 state dict dgm-eval uses (dinov2_vitl14_pretrain.pth, keys cls_token, pos_embed,
             blocks.N.attn.qkv, ls1.gamma, ...) -> a folder with transformers' Dinov2Model keys and config.json
             (qkv split into query/key/value in that order, ls*.gamma -> layer_scale*.lambda1, norm -> layernorm).
             A transformers folder (facebook/dinov2-large) needs no conversion.

    /usr/bin/python3 tools/reference/convert_features_weights.py inception pt_inception-2015-12-05-6726825d.pth OUT.safetensors
    /usr/bin/python3 tools/reference/convert_features_weights.py dinov2 dinov2_vitl14_pretrain.pth OUT_DIR
    /usr/bin/python3 tools/reference/convert_features_weights.py self-test

`self-test` maps the committed tiny DINOv2 fixture to hub keys and back and checks the round trip and that the hub
layout gives the same CLS as the transformers layout (features_reference.dinov2_forward). Needs only torch and numpy.
"""
import json
import math
import re
import struct
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))


def save_safetensors(path, tensors):
    """name -> tensor; float tensors as F32, integer ones as I64 (the layout every safetensors reader accepts)."""
    header, blobs, offset = {"__metadata__": {"format": "pt", "source": "tools/reference/convert_features_weights.py"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        dtype, t = ("F32", t.float()) if t.is_floating_point() else ("I64", t.long())
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fp:
        fp.write(struct.pack("<Q", len(text)) + text)
        for b in blobs:
            fp.write(b)
    print(f"wrote {path} ({len(tensors)} tensors)", file=sys.stderr)


def load_state_dict(path):
    sd = torch.load(path, map_location="cpu")
    for key in ("state_dict", "model", "teacher"):
        if isinstance(sd, dict) and key in sd and isinstance(sd[key], dict):
            sd = sd[key]
    return {k: v for k, v in sd.items() if torch.is_tensor(v)}


def convert_inception(src, dst):
    sd = load_state_dict(src)
    expected = "Mixed_7c.branch_pool.conv.weight"
    if expected not in sd:
        raise SystemExit(f"{src}: no {expected}: not pytorch-fid's FID Inception state dict")
    save_safetensors(dst, sd)


def hub_to_transformers(sd):
    out = {}
    for k, v in sd.items():
        if k == "cls_token":
            out["embeddings.cls_token"] = v
        elif k == "pos_embed":
            out["embeddings.position_embeddings"] = v
        elif k == "mask_token":
            out["embeddings.mask_token"] = v.reshape(1, -1)
        elif k.startswith("patch_embed.proj."):
            out["embeddings.patch_embeddings.projection." + k.split(".")[-1]] = v
        elif k.startswith("norm."):
            out["layernorm." + k.split(".")[-1]] = v
        elif k.startswith("blocks."):
            m = re.match(r"blocks\.(\d+)\.(.*)", k)
            n, rest = m.group(1), m.group(2)
            pre = f"encoder.layer.{n}."
            if rest.startswith("attn.qkv."):
                kind = rest.split(".")[-1]
                q, kk, vv = v.chunk(3, dim=0)
                for name, part in (("query", q), ("key", kk), ("value", vv)):
                    out[pre + f"attention.attention.{name}.{kind}"] = part.clone()
            elif rest.startswith("attn.proj."):
                out[pre + "attention.output.dense." + rest.split(".")[-1]] = v
            elif rest == "ls1.gamma":
                out[pre + "layer_scale1.lambda1"] = v
            elif rest == "ls2.gamma":
                out[pre + "layer_scale2.lambda1"] = v
            elif rest.split(".")[0] in ("norm1", "norm2", "mlp"):
                out[pre + rest] = v
            else:
                raise SystemExit(f"unexpected key {k} (SwiGLU MLPs and registers are not supported)")
        elif k == "register_tokens":
            raise SystemExit("register tokens (dinov2_*_reg) are not supported")
        else:
            raise SystemExit(f"unexpected key {k}")
    return out


def dinov2_config(tf):
    d = tf["embeddings.cls_token"].shape[-1]
    patch = tf["embeddings.patch_embeddings.projection.weight"].shape[-1]
    grid = int(round(math.sqrt(tf["embeddings.position_embeddings"].shape[1] - 1)))
    layers = len({k.split(".")[2] for k in tf if k.startswith("encoder.layer.")})
    mlp = tf["encoder.layer.0.mlp.fc1.weight"].shape[0]
    return {"architectures": ["Dinov2Model"], "model_type": "dinov2", "hidden_size": d, "num_hidden_layers": layers,
            "num_attention_heads": d // 64, "mlp_ratio": mlp / d, "image_size": grid * patch, "patch_size": patch,
            "num_channels": 3, "hidden_act": "gelu", "layer_norm_eps": 1e-6, "layerscale_value": 1.0, "qkv_bias": True,
            "use_swiglu_ffn": False}


def convert_dinov2(src, dst):
    tf = hub_to_transformers(load_state_dict(src))
    out = Path(dst)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(dinov2_config(tf), indent=2) + "\n")
    save_safetensors(out / "model.safetensors", tf)


def self_test():
    from features_reference import DINO_TINY, OUT, dinov2_forward  # noqa: E402

    folder = OUT / "dinov2-tiny"
    raw = (folder / "model.safetensors").read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    tf = {}
    for k, info in header.items():
        if k == "__metadata__":
            continue
        a, b = info["data_offsets"]
        tf[k] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").copy()).reshape(info["shape"])
    hub = {"cls_token": tf["embeddings.cls_token"], "pos_embed": tf["embeddings.position_embeddings"],
           "mask_token": tf["embeddings.mask_token"].reshape(1, -1),
           "patch_embed.proj.weight": tf["embeddings.patch_embeddings.projection.weight"],
           "patch_embed.proj.bias": tf["embeddings.patch_embeddings.projection.bias"],
           "norm.weight": tf["layernorm.weight"], "norm.bias": tf["layernorm.bias"]}
    for i in range(DINO_TINY["num_hidden_layers"]):
        pre, b = f"encoder.layer.{i}.", f"blocks.{i}."
        for kind in ("weight", "bias"):
            hub[b + f"attn.qkv.{kind}"] = torch.cat([tf[pre + f"attention.attention.{t}.{kind}"] for t in ("query", "key", "value")])
            hub[b + f"attn.proj.{kind}"] = tf[pre + f"attention.output.dense.{kind}"]
            for part in ("norm1", "norm2", "mlp.fc1", "mlp.fc2"):
                hub[b + f"{part}.{kind}"] = tf[pre + f"{part}.{kind}"]
        hub[b + "ls1.gamma"] = tf[pre + "layer_scale1.lambda1"]
        hub[b + "ls2.gamma"] = tf[pre + "layer_scale2.lambda1"]
    back = hub_to_transformers(hub)
    assert set(back) == set(tf), set(back) ^ set(tf)
    for k in tf:
        assert torch.equal(back[k], tf[k]), k
    cfg = dinov2_config(back)
    for key in ("hidden_size", "num_hidden_layers", "image_size", "patch_size", "mlp_ratio"):
        assert cfg[key] == DINO_TINY[key], (key, cfg[key], DINO_TINY[key])
    x = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(dinov2_forward(back, DINO_TINY, x), dinov2_forward(tf, DINO_TINY, x), atol=0, rtol=0)
    print("self-test passed: hub <-> transformers keys round trip, config inferred, same CLS")


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "self-test":
        self_test()
    elif len(sys.argv) == 4 and sys.argv[1] == "inception":
        convert_inception(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "dinov2":
        convert_dinov2(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
