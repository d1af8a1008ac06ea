"""PyTorch-eager reference timings for studio.core.ops.KernelBench (same ops, same shapes).

Run with Debian's torch (1.13 has no scaled_dot_product_attention, so attention here is the
math form softmax(q·kᵀ/√d)·v, which is also what torch 2.x's SDPA math backend computes):

    /usr/bin/python3 tools/reference/bench_kernels.py [--runs 30] [--warmup 20] [--threads 2]

Caveat: Debian's python3-torch 1.13 is built with BLAS_INFO=generic (see torch.__config__.show()),
so its matmuls are far slower than the official libtorch 2.7.1 DJL loads; compare DJL fused vs DJL
plain for kernel choices, and read these numbers as "this machine's Debian torch", not "PyTorch".

Prints JSON like KernelBench: median ms over timed runs after warm-up, no grad. Not used by the
build or tests. Threads default to 2, what DJL's PyTorch engine uses on this machine
("Number of intra-op threads is 2").
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F


def attention_math(q, k, v):
    scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1]))
    return torch.matmul(torch.softmax(scores, dim=-1), v)


def gelu_tanh_composite(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x.pow(3))))


def group_norm_composite(x, groups, w, b, eps):
    g = x.reshape(x.shape[0], groups, -1)
    c = g - g.mean(dim=2, keepdim=True)
    y = (c / torch.sqrt(c.square().mean(dim=2, keepdim=True) + eps)).reshape(x.shape)
    return y * w.reshape(1, -1, 1, 1) + b.reshape(1, -1, 1, 1)


def ln_modulate(x, shift, scale):
    return F.layer_norm(x, x.shape[-1:], eps=1e-6) * (1 + scale[:, None]) + shift[:, None]


def median_ms(fn, inputs, runs, warmup):
    times = []
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        fn(*inputs)
        t1 = time.perf_counter()
        if i >= warmup:
            times.append((t1 - t0) * 1e3)
    return statistics.median(times)


def cases():
    qkv = [(2, 4, 300, 64)] * 3
    big = [(1, 24, 1178, 64)] * 3
    return [
        ("attention", qkv, {"math": attention_math}, 1),
        ("attention", big, {"math": attention_math}, 4),
        ("group_norm", [(1, 128, 64, 64), (128,), (128,)],
         {"F.group_norm": lambda x, w, b: F.group_norm(x, 32, w, b, 1e-6),
          "composite": lambda x, w, b: group_norm_composite(x, 32, w, b, 1e-6)}, 1),
        ("gelu_tanh", [(1, 1024, 6144)],
         {"F.gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "composite": gelu_tanh_composite}, 1),
        ("layer_norm_modulate", [(1, 1024, 1536), (1, 1536), (1, 1536)],
         {"eager": ln_modulate}, 1),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = []
    with torch.no_grad():
        for name, shapes, variants, divisor in cases():
            inputs = [torch.randn(s) for s in shapes]
            runs, warmup = max(3, args.runs // divisor), max(2, args.warmup // divisor)
            row = {"op": name, "shapes": [list(s) for s in shapes], "runs": runs}
            for label, fn in variants.items():
                row[label + "Ms"] = round(median_ms(fn, inputs, runs, warmup), 3)
            results.append(row)
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "results": results}, indent=2))


if __name__ == "__main__":
    main()
