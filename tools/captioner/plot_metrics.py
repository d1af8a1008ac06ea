#!/usr/bin/env python3
"""Line charts of a training run's metrics.jsonl as a standalone SVG (stdlib only; no matplotlib here).

usage: plot_metrics.py METRICS.jsonl OUT.svg [TITLE]
Left panel: loss, segmentation, caption, pointer (log scale). Right panel: held-out PQ, PQ_thing, PQ_stuff.
"""
import json
import math
import sys

W, H, PAD = 460, 300, 50
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]


def panel(x0, rows, keys, title, log, legend_bottom=False):
    pts = {k: [(r["step"], r[k]) for r in rows if k in r and r[k] is not None] for k in keys}
    steps = [s for v in pts.values() for s, _ in v]
    vals = [y for v in pts.values() for _, y in v]
    if not steps:
        return ""
    f = (lambda y: math.log10(max(y, 1e-6))) if log else (lambda y: y)
    smin, smax = min(steps), max(steps)
    vmin, vmax = (min(map(f, vals)), max(map(f, vals))) if log else (0.0, 1.0)
    vmax = vmax if vmax > vmin else vmin + 1
    sx = lambda s: x0 + PAD + (W - 2 * PAD) * (s - smin) / max(1, smax - smin)
    sy = lambda y: H - PAD - (H - 2 * PAD) * (f(y) - vmin) / (vmax - vmin)
    out = [f'<rect x="{x0 + PAD}" y="{PAD}" width="{W - 2 * PAD}" height="{H - 2 * PAD}" fill="none" stroke="#888"/>',
           f'<text x="{x0 + W / 2}" y="{PAD - 20}" text-anchor="middle" font-size="13">{title}</text>',
           f'<text x="{x0 + W / 2}" y="{H - 12}" text-anchor="middle" font-size="11">step</text>',
           f'<text x="{x0 + PAD}" y="{H - PAD + 14}" font-size="10">{smin}</text>',
           f'<text x="{x0 + W - PAD}" y="{H - PAD + 14}" text-anchor="end" font-size="10">{smax}</text>']
    lo, hi = (10 ** vmin, 10 ** vmax) if log else (vmin, vmax)
    out.append(f'<text x="{x0 + PAD - 4}" y="{H - PAD}" text-anchor="end" font-size="10">{lo:.3g}</text>')
    out.append(f'<text x="{x0 + PAD - 4}" y="{PAD + 8}" text-anchor="end" font-size="10">{hi:.3g}</text>')
    for i, (k, v) in enumerate(pts.items()):
        if not v:
            continue
        c = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{sx(s):.1f},{sy(y):.1f}" for s, y in v)
        out.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="1.5"/>')
        ly = H - PAD - 8 - 13 * (len(pts) - 1 - i) if legend_bottom else PAD + 14 + 13 * i
        out.append(f'<text x="{x0 + W - PAD - 4}" y="{ly}" text-anchor="end" font-size="11" fill="{c}">{k} {v[-1][1]:.3f}</text>')
    return "\n".join(out)


def main():
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    title = sys.argv[3] if len(sys.argv) > 3 else sys.argv[1]
    body = panel(0, rows, ["loss", "segmentation", "caption", "pointer"], title + ": training losses (log)", True)
    body += panel(W, rows, ["heldout_pq", "heldout_pq_thing", "heldout_pq_stuff"], "held-out PQ", False, legend_bottom=True)
    with open(sys.argv[2], "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H}" font-family="sans-serif">\n'
                f'<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n')


if __name__ == "__main__":
    main()
