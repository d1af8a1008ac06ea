#!/usr/bin/env python3
"""Writes core/src/test/resources/safetensors/torch_fixture.safetensors.

An independent check of the Java reader and of its float16/bfloat16 rounding: the narrowing is done
by PyTorch (`tensor.to(torch.float16 / torch.bfloat16)`, round to nearest even), the file layout by
this script per the format spec (8-byte little-endian header length, JSON header padded with spaces
to a multiple of 8, tensors by descending dtype alignment then name). Debian has no
python3-safetensors package, so the file itself is written by hand here.

Run with Debian's python3-torch:  /usr/bin/python3 tools/reference/make_safetensors_fixture.py
"""
import json
import random
import struct
import sys
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parents[2] / "core/src/test/resources/safetensors/torch_fixture.safetensors"
# Reference writer order: higher alignment (this order, from safetensors' enum Dtype) first.
DTYPE_RANK = ["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "F64", "I64"]


def f32(bits):
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def interesting_floats(rng):
    bits = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x00000001, 0x00800000,
            0x33000000, 0x33000001, 0x33800000, 0x387FC000, 0x38800000, 0x477FE000, 0x477FEFFF,
            0x477FF000, 0x47800000, 0x7F7FFFFF, 0x3F800000, 0xBF800000, 0x3F808000, 0x3F818000]
    values = [f32(b) for b in bits]
    # Midpoints between neighbouring float16 values, and one float32 ulp either side.
    for _ in range(1200):
        h = rng.randrange(0, 0x7BFF)
        lo = torch.tensor([h], dtype=torch.int16).view(torch.float16).float().item()
        hi = torch.tensor([h + 1], dtype=torch.int16).view(torch.float16).float().item()
        mid = (lo + hi) / 2
        sign = rng.choice([1.0, -1.0])
        for m in (mid, torch.tensor([mid]).float().nextafter(torch.tensor([0.0])).item(),
                  torch.tensor([mid]).float().nextafter(torch.tensor([float("inf")])).item()):
            values.append(sign * m)
    # bfloat16 midpoints: low 16 bits exactly 0x8000 (tie) and neighbours.
    for _ in range(300):
        upper = rng.randrange(0, 0x7F7F) << 16
        values += [f32(upper | 0x8000), f32(upper | 0x7FFF), f32(upper | 0x8001)]
    values += [rng.gauss(0, 1) * 10 ** rng.randrange(-8, 6) for _ in range(300)]
    return values


def entry_bytes(t, dtype):
    return t.contiguous().numpy().tobytes() if dtype != "BF16" else t.view(torch.int16).numpy().tobytes()


def main():
    rng = random.Random(1234)
    src = torch.tensor(interesting_floats(rng), dtype=torch.float32)
    tensors = {
        "src.f32": ("F32", src),
        "conv.f16": ("F16", src.to(torch.float16)),
        "conv.bf16": ("BF16", src.to(torch.bfloat16)),
        "ints.i64": ("I64", torch.tensor([[-(2 ** 63), 2 ** 63 - 1], [0, -1]], dtype=torch.int64)),
        "ints.i16": ("I16", torch.tensor([-32768, 32767, 0], dtype=torch.int16)),
        "ints.u8": ("U8", torch.tensor([0, 255, 7], dtype=torch.uint8)),
        "mask.bool": ("BOOL", torch.tensor([True, False, True])),
        "scalar.f64": ("F64", torch.tensor(3.141592653589793, dtype=torch.float64)),
        "empty.f32": ("F32", torch.zeros(0, 4)),
    }
    order = sorted(tensors, key=lambda n: (-DTYPE_RANK.index(tensors[n][0]), n.encode()))
    header, blobs, offset = {"__metadata__": {"format": "pt", "generator": "torch " + torch.__version__}}, [], 0
    for name in order:
        dtype, t = tensors[name]
        data = entry_bytes(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()  # default separators ", " and ": ": checks whitespace handling
    text += b" " * (-len(text) % 8)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(src)} floats)", file=sys.stderr)


if __name__ == "__main__":
    main()
