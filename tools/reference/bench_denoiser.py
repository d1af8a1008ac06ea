#!/usr/bin/env python3
"""PyTorch eager timing of one SD3 MMDiT forward on random weights: the reference figure for
`studio bench denoiser` (same config, resolution, batch, tokens; median of several runs).

Uses the functional reference model of sd3_reference.py (F.linear / layer_norm / softmax attention,
as eager diffusers would run on CPU without SDPA kernels in torch 1.13), weights N(0, 0.02²) in fp32.

    /usr/bin/python3 tools/reference/bench_denoiser.py --config sd3-medium --res 256 --runs 3 --warmup 1
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn.functional as F

import sd3_reference as ref

PRESETS = {  # SD3.md §1.2
    "sd3-medium": dict(num_layers=24, pos_embed_max_size=192, dual_attention_layers=[], qk_norm=None),
    "sd3.5-medium": dict(num_layers=24, pos_embed_max_size=384, dual_attention_layers=list(range(13)), qk_norm="rms_norm"),
    "sd3.5-large": dict(num_layers=38, pos_embed_max_size=192, dual_attention_layers=[], qk_norm="rms_norm"),
}


class FastSdpaModel(ref.Model):
    """The reference model with torch's fused attention where this torch has it (2.x); 1.13 falls back."""

    @staticmethod
    def sdpa(q, k, v):
        if hasattr(F, "scaled_dot_product_attention"):
            o = F.scaled_dot_product_attention(q, k, v)
            return o.transpose(1, 2).reshape(o.shape[0], o.shape[2], -1)
        return ref.Model.sdpa(q, k, v)


def config(name):
    p = PRESETS[name]
    depth = p["num_layers"]
    return {"sample_size": 128, "patch_size": 2, "in_channels": 16, "out_channels": 16, "num_layers": depth,
            "attention_head_dim": 64, "num_attention_heads": depth, "joint_attention_dim": 4096,
            "caption_projection_dim": 64 * depth, "pooled_projection_dim": 2048,
            "pos_embed_max_size": p["pos_embed_max_size"], "dual_attention_layers": p["dual_attention_layers"],
            "qk_norm": p["qk_norm"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="sd3-medium", choices=sorted(PRESETS))
    ap.add_argument("--res", type=int, default=256)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--tokens", type=int, default=333)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    cfg = config(a.config)
    gen = torch.Generator().manual_seed(0)
    w = {k: torch.randn(s, generator=gen) * 0.02 for k, s in ref.param_shapes(cfg).items()}
    model = FastSdpaModel(cfg, w)
    lat = a.res // 8
    x = torch.randn(a.batch, 16, lat, lat, generator=gen)
    t = torch.full((a.batch,), 500.0)
    c = torch.randn(a.batch, a.tokens, 4096, generator=gen)
    y = torch.randn(a.batch, 2048, generator=gen)
    times = []
    with torch.no_grad():
        for i in range(a.warmup + a.runs):
            t0 = time.perf_counter()
            model.forward(x, t, c, y)
            if i >= a.warmup:
                times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"bench": "denoiser (pytorch eager)", "torch": torch.__version__, "config": a.config,
                      "res": a.res, "batch": a.batch, "tokens": a.tokens, "threads": torch.get_num_threads(),
                      "ms_median": round(statistics.median(times), 2), "ms_min": round(min(times), 2),
                      "ms_max": round(max(times), 2),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}, indent=2))


if __name__ == "__main__":
    main()
