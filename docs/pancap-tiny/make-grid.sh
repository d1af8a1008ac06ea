#!/usr/bin/env bash
# Regenerates the README's pancap-tiny grid: every prompt of prompts.txt at seeds 0-3, 28 Euler steps, CFG 4,
# T5 128 tokens (the length pancap-tiny's MMDiT was pretrained with). Usage: docs/pancap-tiny/make-grid.sh [MODEL]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="${1:-pancap-tiny}"
n=0
while IFS= read -r prompt; do
  [ -n "$prompt" ] || continue
  STUDIO_THREADS="${STUDIO_THREADS:-1}" "$here/../../studio" generate --model "$model" --prompt "$prompt" \
    --t5-length 128 --steps 28 --guidance 4 --seed 0 --batch 4 --out "$here/p$n.png"
  n=$((n + 1))
done < "$here/prompts.txt"
