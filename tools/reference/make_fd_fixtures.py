#!/usr/bin/python3
"""Feature fixtures and scipy reference values for eval-geneval's Fréchet distance tests.

Writes eval-geneval/src/test/resources/studio/eval/fid/<case>_{real,fake}.safetensors (tensor "features",
F32 [N, D]) and expected.json. The expected FD follows pytorch-fid's calculate_frechet_distance
(src/pytorch_fid/fid_score.py at b9c1811; EVAL.md §2.1) step by step: scipy.linalg.sqrtm of sigma1 @ sigma2
with disp=False; if not finite, add eps=1e-6 to both diagonals and take sqrtm again; refuse a diagonal
imaginary part above 1e-3; keep the real part; traces of the original sigmas. Means and covariances are
computed in float64 from the float32 features (np.cov is float64 anyway; pytorch-fid's np.mean over
float32 activations accumulates in float32, which we record separately as "fd_float32_mean").

Run with Debian's packages (apt-get install -y python3-scipy python3-numpy):
    /usr/bin/python3 tools/reference/make_fd_fixtures.py
Deterministic: fixed seeds, numpy's default_rng (PCG64). CI never runs this.
"""
import json
import os
import struct
import sys

import numpy as np
import scipy
from scipy import linalg

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "eval-geneval", "src", "test", "resources", "studio", "eval", "fid")
EPS = 1e-6


def write_safetensors(path, features):
    data = np.ascontiguousarray(features, dtype="<f4").tobytes()
    header = {"features": {"dtype": "F32", "shape": list(features.shape), "data_offsets": [0, len(data)]},
              "__metadata__": {"source": "tools/reference/make_fd_fixtures.py"}}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as fp:
        fp.write(struct.pack("<Q", len(text)) + text + data)


def frechet_like_pytorch_fid(mu1, sigma1, mu2, sigma2):
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    retried = False
    if not np.isfinite(covmean).all():
        retried = True
        offset = np.eye(sigma1.shape[0]) * EPS
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    max_diag_imag = 0.0
    if np.iscomplexobj(covmean):
        max_diag_imag = float(np.abs(np.diagonal(covmean).imag).max())
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("pytorch-fid would raise: imaginary component %g" % max_diag_imag)
        covmean = covmean.real
    fd = diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)
    return float(fd), retried, max_diag_imag


def correlated(rng, n, d, scale=1.0, shift=0.0):
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    return (rng.normal(size=(n, d)) @ mixing * scale + shift).astype(np.float32)


def cases():
    rng = np.random.default_rng(20240801)
    yield "well_conditioned", correlated(rng, 200, 16), correlated(rng, 180, 16, 1.3, 0.25)
    rng = np.random.default_rng(20240802)
    yield "rank_deficient", correlated(rng, 10, 16), correlated(rng, 12, 16, 0.8, -0.5)
    rng = np.random.default_rng(20240803)
    base = correlated(rng, 300, 16)
    yield "near_identical", base, (base + rng.normal(scale=1e-2, size=base.shape)).astype(np.float32)
    rng = np.random.default_rng(20240804)
    yield "large_offset", correlated(rng, 200, 16), correlated(rng, 220, 16, 2.0, 1000.0)
    rng = np.random.default_rng(20240805)
    real, fake = correlated(rng, 200, 16), correlated(rng, 200, 16, 1.1, 0.1)
    real[:, 3] = 0.0  # dead in the real set only
    fake[:, 7] = 0.0  # dead in the fake set only: scipy's sqrtm fails, pytorch-fid adds eps
    yield "eps_retry", real, fake
    rng = np.random.default_rng(20240806)
    yield "wide_64", correlated(rng, 400, 64), correlated(rng, 350, 64, 0.9, 0.05)


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"generator": "tools/reference/make_fd_fixtures.py", "scipy": scipy.__version__,
                "numpy": np.__version__, "eps": EPS, "cases": {}}
    for name, real, fake in cases():
        write_safetensors(os.path.join(OUT, name + "_real.safetensors"), real)
        write_safetensors(os.path.join(OUT, name + "_fake.safetensors"), fake)
        r64, f64 = real.astype(np.float64), fake.astype(np.float64)
        mu1, mu2 = r64.mean(axis=0), f64.mean(axis=0)
        s1, s2 = np.cov(r64, rowvar=False), np.cov(f64, rowvar=False)
        fd, retried, imag = frechet_like_pytorch_fid(mu1, s1, mu2, s2)
        fd32, _, _ = frechet_like_pytorch_fid(real.mean(axis=0), s1, fake.mean(axis=0), s2)
        expected["cases"][name] = {"fd": fd, "eps_retry": retried, "n_real": real.shape[0], "n_fake": fake.shape[0],
                                   "dim": real.shape[1], "max_diag_imag": imag, "fd_float32_mean": float(fd32)}
        print(f"{name:18s} fd={fd:.12g} retry={retried} imag={imag:.3g}", file=sys.stderr)
    with open(os.path.join(OUT, "expected.json"), "w") as fp:
        json.dump(expected, fp, indent=2)
        fp.write("\n")


if __name__ == "__main__":
    main()
