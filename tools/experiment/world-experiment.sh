#!/usr/bin/env bash
# The seed paper's central claim in miniature (issue 8): world-GenEval, FD and CLIPScore of pancap-tiny and of its two
# LoRAs (short vs long grounded captions, same images, steps and seed). Writes everything under runs/ (scratch).
# About 1 h 40 min on one CPU core (3 × 1106 images at ≈ 1.5 s plus two 3-min LoRA runs); run from the checkout root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export STUDIO_THREADS="${STUDIO_THREADS:-1}"
ipp="${IMAGES_PER_PROMPT:-2}"
studio=./studio
[ -d runs/world-tiny-train ] || $studio world --out runs/world-tiny-train --count 2000 --seed 1 --size 64   # prompts
[ -d runs/world-fd-s9 ] || $studio world --out runs/world-fd-s9 --count 2000 --seed 9 --size 64             # FD's real set
prompts=runs/world-tiny-train/geneval/evaluation_metadata.jsonl
for v in short long; do
  [ -f runs/lora-pancap-tiny-$v/pytorch_lora_weights.safetensors ] || \
    $studio train --config configs/train/lora-pancap-tiny-$v.json
done
common=(--prompts "$prompts" --images-per-prompt "$ipp" --guidance 4 --steps 28 --seed 42)
$studio eval geneval --model pancap-tiny "${common[@]}" --t5-length 128 --out runs/geneval-base
for v in short long; do
  $studio eval geneval --model pancap-tiny --lora runs/lora-pancap-tiny-$v/pytorch_lora_weights.safetensors \
    "${common[@]}" --t5-length 256 --out runs/geneval-$v
done
for v in base short long; do
  $studio eval fid --real runs/world-fd-s9/images --fake runs/geneval-$v --features tiny-clip \
    --cache runs/feature-cache --out runs/fd-$v.json
  $studio eval clipscore --geneval runs/geneval-$v --out runs/cs-$v.json
done
$studio eval compare runs/geneval-base runs/geneval-short --out runs/compare-base-short
$studio eval compare runs/geneval-short runs/geneval-long --out runs/compare-short-long
