#!/usr/bin/env python3
"""PyTorch eager timing of one SD3 LoRA training step on random weights: the reference figure for
`studio bench train` (same config, resolution, batch, tokens, rank; median of several steps).

The step is the one of diffusers' train_dreambooth_lora_sd3.py (SD3.md §2.6) and of the Java trainer:
logit-normal sigma from the shifted training table, x_sigma = (1 - sigma) x0 + sigma eps, the functional
reference MMDiT of sd3_reference.py with LoRA (rank r, alpha = r, gaussian A, zero B) on the default attention
targets, precondition_outputs loss, backward, clip_grad_norm_(1.0), torch.optim.AdamW (wd 1e-4), zero_grad.

    /usr/bin/python3 tools/reference/bench_train.py --config tiny --res 64 --batch 4
    /usr/bin/python3 tools/reference/bench_train.py --config sd3-medium --res 256
"""
import argparse
import json
import resource
import statistics
import time

import torch

import sd3_reference as ref
from bench_denoiser import FastSdpaModel, config as sd3_config

TARGETS = ["attn.to_q", "attn.to_k", "attn.to_v", "attn.to_out.0",
           "attn.add_q_proj", "attn.add_k_proj", "attn.add_v_proj", "attn.to_add_out"]


def cfg_for(name):
    if name == "tiny":  # MmditConfig.tiny()
        return ref.tiny_config()
    return sd3_config(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="tiny")
    ap.add_argument("--res", type=int, default=256)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--tokens", type=int, default=154)
    ap.add_argument("--rank", type=int, default=4)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    cfg = cfg_for(a.config)
    gen = torch.Generator().manual_seed(0)
    shapes = ref.param_shapes(cfg)
    w = {k: torch.randn(s, generator=gen) * 0.02 for k, s in shapes.items()}
    adapter, params = {}, []
    for k, s in shapes.items():
        mod = k[:-len(".weight")]
        if k.endswith(".weight") and len(s) == 2 and any(mod.endswith("." + t) for t in TARGETS):
            A = (torch.randn(a.rank, s[1], generator=gen) / a.rank).requires_grad_(True)
            B = torch.zeros(s[0], a.rank, requires_grad=True)
            adapter[mod] = (A, B, 1.0)
            params += [A, B]
    model = FastSdpaModel(cfg, w, [adapter])
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4)
    lat, b = a.res // 8, a.batch
    x0 = torch.randn(b, cfg["in_channels"], lat, lat, generator=gen)
    ctx = torch.randn(b, a.tokens, cfg["joint_attention_dim"], generator=gen)
    pooled = torch.randn(b, cfg["pooled_projection_dim"], generator=gen)
    table = ref.training_sigmas()
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        u = torch.sigmoid(torch.randn(b, generator=gen))
        index = (u * 1000).long().clamp(max=999)
        noise = torch.randn(x0.shape, generator=gen)
        loss = ref.training_loss(model, x0, noise, index, ctx, pooled, "logit_normal", True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=False)
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(times)
    print(json.dumps({"bench": "train (LoRA step, pytorch eager)", "torch": torch.__version__, "config": a.config,
                      "res": a.res, "batch": b, "tokens": a.tokens, "rank": a.rank, "threads": torch.get_num_threads(),
                      "lora_params": sum(p.numel() for p in params), "steps_timed": len(times),
                      "ms_per_step_median": round(med, 1), "ms_per_step_min": round(min(times), 1),
                      "images_per_s": round(b / (med / 1000), 3),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}, indent=2))


if __name__ == "__main__":
    main()
