#!/usr/bin/env python3
"""Writes core/src/test/resources/train/torch_optim.safetensors: the reference for studio.core.train.

PyTorch 1.13 (Debian python3-torch) computes, over 6 updates of two fp32 parameters:
  * torch.nn.utils.clip_grad_norm_(max_norm=1.0) on each step's gradients (total norm before clipping),
  * torch.optim.AdamW(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2), lr from a LambdaLR with
    diffusers' get_cosine_schedule_with_warmup lambda (optimization.py, num_cycles=0.5; copied below
    because Debian has no diffusers), warmup 2, total 6, stepped after every update as the diffusers
    trainers do;
plus the cosine factors for warmup 10 / total 100, steps 0..119 (past the end, to check the clamp at 0).

Run:  /usr/bin/python3 tools/reference/make_train_fixtures.py
"""
import json
import math
from pathlib import Path

import torch

from sd3_reference import write_safetensors

OUT = Path(__file__).resolve().parents[2] / "core/src/test/resources/train/torch_optim.safetensors"


def cosine_lambda(num_warmup_steps, num_training_steps, num_cycles=0.5):
    # diffusers/optimization.py get_cosine_schedule_with_warmup.lr_lambda
    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))
    return lr_lambda


def main():
    gen = torch.Generator().manual_seed(1234)
    p0 = torch.randn(3, 4, generator=gen)
    p1 = torch.randn(5, generator=gen)
    out = {"init.p0": p0.clone(), "init.p1": p1.clone()}
    params = [torch.nn.Parameter(p0), torch.nn.Parameter(p1)]
    opt = torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, cosine_lambda(2, 6))
    lrs, norms = [], []
    for k in range(6):
        scale = 0.3 if k % 2 == 0 else 3.0  # some steps under the max norm, some over it
        g0 = torch.randn(3, 4, generator=gen) * scale
        g1 = torch.randn(5, generator=gen) * scale
        out[f"grad.{k}.p0"], out[f"grad.{k}.p1"] = g0.clone(), g1.clone()
        params[0].grad, params[1].grad = g0, g1
        norms.append(float(torch.nn.utils.clip_grad_norm_(params, max_norm=1.0)))
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        out[f"after.{k}.p0"], out[f"after.{k}.p1"] = params[0].detach().clone(), params[1].detach().clone()
    out["total_norm"] = torch.tensor(norms)
    lam = cosine_lambda(10, 100)
    # Python floats (double) kept exactly as JSON text in the metadata.
    meta = {"lr": json.dumps(lrs), "cosine_10_100": json.dumps([lam(s) for s in range(120)])}
    write_safetensors(OUT, out, metadata=meta)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
