#!/usr/bin/env python3
"""PyTorch reference of the SD3 text-to-image loop (StableDiffusion3Pipeline, SD3.md §2.5) on a tiny
random-weight model in the diffusers folder layout; writes diffusion/src/test/resources/fixtures/pipeline/.

Reuses the MMDiT / sampler reference (sd3_reference.py) and the VAE reference (vae_reference.py).
The initial noise is an input saved in the fixture: the studio's seeded noise is its own generator
(SplitMix64 + Box-Muller), not torch's, so both sides start from the same stored tensor.

Regenerate (fixed seeds, CPU, float32, one thread; Debian python3-torch 1.13):
    /usr/bin/python3 tools/reference/pipeline_reference.py
CI never runs this script; the generated files are committed.

Fixtures (< 2 MB in all):
  tiny-sd3/  model_index.json, scheduler/scheduler_config.json (shift 3.0), transformer/ (16 latent channels,
             depth 2, D 48, F16), vae/ (the tiny VAE of vae_reference.py's shape, F16), and the text side
             (text_encoder*, tokenizer*) as relative symlinks to ../../text/sd3-text-tiny/ (text_reference.py's
             tiny encoders: context width 32, pooled 16 + 16), so the folder is a complete diffusers SD3 folder
             without a second copy of those bytes. Run text_reference.py first when both are regenerated.
  lora_peft.safetensors   a PEFT LoRA (rank 4, default targets) for the tiny transformer
  expected.safetensors    noise, conditioning rows (0 = uncond, 1 = cond), final latents and decoded
                          images per case (see CASES); the `text` case goes from prompt text to image
                          (TEXT_CASE: a 129-token prompt = two CLIP chunks, a negative padded to two chunks,
                          CFG) and stores the token ids of both prompts; `slg` adds skip-layer guidance
"""
import json
import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sd3_reference as sd3  # noqa: E402
import vae_reference as vae_ref  # noqa: E402
import text_reference as text_ref  # noqa: E402

OUT = sd3.ROOT / "diffusion/src/test/resources/fixtures/pipeline"
SHIFT = 3.0
# name: (guidance, steps, sampler, lora multiplier or None)
CASES = {
    "cfg": (4.0, 4, sd3.euler, None),  # CFG over [uncond, cond]
    "cond": (1.0, 3, sd3.euler, None),  # guidance <= 1: the conditional model alone (no negative)
    "dpmpp": (4.0, 4, sd3.dpmpp_2m, None),
    "lora": (4.0, 4, sd3.euler, 0.7),  # PEFT LoRA attached with a user multiplier
}
TEXT = sd3.ROOT / "diffusion/src/test/resources/fixtures/text/sd3-text-tiny"
TEXT_PARTS = ["text_encoder", "text_encoder_2", "text_encoder_3", "tokenizer", "tokenizer_2", "tokenizer_3"]
# Prompt -> image: 129 CLIP tokens (two 77-position chunks), 198 T5 pieces of which t5_len - 1 = 63 are kept.
TEXT_CASE = {
    "prompt": "a watercolor painting of a lighthouse at sunset with waves crashing against the rocks, two cats and "
              "a dog sitting on a wooden bench in a park during autumn, leaves falling, portrait of an old woman "
              "with silver hair, soft window light, film grain, shallow depth of field",
    "negative": "blurry, low quality, watermark", "guidance": 4.0, "steps": 4, "t5_len": 64}
# Skip-layer guidance on the fixture rows (SD3.md 2.5): layer 0 of the depth-2 model, active on steps 1 and 2 of 4.
SLG = {"layers": [0], "scale": 2.8, "start": 0.1, "stop": 0.6, "guidance": 4.0, "steps": 4}


def transformer_config():
    """sd3_reference's tiny MMDiT with SD3's 16 latent channels, depth 2, D 48 (2 heads x 24), a 16 x 16 position
    grid (images up to 64 px); joint_attention_dim 32 and pooled 32 as the text reference's tiny encoders."""
    return sd3.tiny_config(in_channels=16, out_channels=16, num_layers=2, attention_head_dim=24,
                           caption_projection_dim=48, pos_embed_max_size=16)


def save_folder(root, t_cfg, t_w, v_cfg, v_w):
    """The diffusers layout of SD3.md §1.1 (text parts are added by the text reference)."""
    root.mkdir(parents=True, exist_ok=True)
    index = {"_class_name": "StableDiffusion3Pipeline", "_diffusers_version": "0.30.0",
             "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
             "transformer": ["diffusers", "SD3Transformer2DModel"], "vae": ["diffusers", "AutoencoderKL"],
             "text_encoder": ["transformers", "CLIPTextModelWithProjection"],
             "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
             "text_encoder_3": ["transformers", "T5EncoderModel"],
             "tokenizer": ["transformers", "CLIPTokenizer"], "tokenizer_2": ["transformers", "CLIPTokenizer"],
             "tokenizer_3": ["transformers", "T5TokenizerFast"]}
    (root / "model_index.json").write_text(json.dumps(index, indent=2) + "\n")
    (root / "scheduler").mkdir(exist_ok=True)
    (root / "scheduler" / "scheduler_config.json").write_text(json.dumps(
        {"_class_name": "FlowMatchEulerDiscreteScheduler", "num_train_timesteps": 1000, "shift": SHIFT}, indent=2) + "\n")
    for sub, cfg, w in (("transformer", t_cfg, t_w), ("vae", v_cfg, v_w)):
        (root / sub).mkdir(exist_ok=True)
        (root / sub / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
        sd3.write_safetensors(root / sub / "diffusion_pytorch_model.safetensors", w, {"format": "pt"}, dtype="F16")


def link_text_parts(root):
    """text_encoder*/ and tokenizer*/ as relative symlinks to the text reference's tiny folder (SD3.md 1.1 layout)."""
    for sub in TEXT_PARTS:
        link = root / sub
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(os.path.relpath(TEXT / sub, root), target_is_directory=True)


def text_conditioning(root):
    """[negative, prompt] through text_reference.encode_prompt with one CLIP chunk count for both rows (the
    shorter padded with empty-prompt chunks, PromptEncoder's rule), plus the token ids the Java side must equal."""
    m = text_ref.load_folder(root)
    c = TEXT_CASE
    k = max(text_ref.encode_prompt(m, p, t5_len=c["t5_len"])["chunks"] for p in (c["negative"], c["prompt"]))
    neg = text_ref.encode_prompt(m, c["negative"], t5_len=c["t5_len"], chunks=k)
    pos = text_ref.encode_prompt(m, c["prompt"], t5_len=c["t5_len"], chunks=k)
    ids = {}
    for key, text in (("prompt", c["prompt"]), ("negative", c["negative"])):
        ids[f"text.{key}.ids_l"] = torch.tensor(m["tok"].encode(text), dtype=torch.int64)
        ids[f"text.{key}.ids_g"] = torch.tensor(m["tok_2"].encode(text), dtype=torch.int64)
        ids[f"text.{key}.ids_t5"] = torch.tensor(text_ref.t5_ids(m["sp"], text, c["t5_len"]), dtype=torch.int64)
    print(f"text case: {k} CLIP chunks, prompt {len(ids['text.prompt.ids_l'])} CLIP / "
          f"{len(m['sp'].encode(c['prompt']))} T5 tokens", file=sys.stderr)
    return torch.cat([neg["context"], pos["context"]]), torch.cat([neg["pooled"], pos["pooled"]]), ids


def generate(model, vae, v_cfg, ctx_rows, pooled_rows, noise, guidance, steps, sampler, slg=None):
    """SD3.md §2.5: rows repeated to [uncond x B, cond x B]; CFG iff guidance > 1; decode z/scale + shift."""
    B = noise.shape[0]
    rep = lambda t, i: t[i:i + 1].repeat(B, *([1] * (t.dim() - 1)))
    if guidance > 1:
        v = sd3.guided(model, torch.cat([rep(ctx_rows, 0), rep(ctx_rows, 1)]),
                       torch.cat([rep(pooled_rows, 0), rep(pooled_rows, 1)]), guidance, slg)
    else:
        ctx, pooled = rep(ctx_rows, 1), rep(pooled_rows, 1)
        v = lambda x, s, i: model.forward(x, torch.full((B,), s * 1000.0), ctx, pooled)
    latents = sampler(v, noise, sd3.inference_sigmas(steps, SHIFT), [])
    image = vae.decode(vae_ref.latent_to_vae(v_cfg, latents))
    return latents, image


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(6000)
    t_cfg, v_cfg = transformer_config(), vae_ref.tiny_config()
    t_w = sd3.random_weights(t_cfg, gen, "F16")
    v_w = vae_ref.random_weights(v_cfg, gen, "F16")
    save_folder(OUT / "tiny-sd3", t_cfg, t_w, v_cfg, v_w)
    link_text_parts(OUT / "tiny-sd3")

    peft = sd3.peft_adapter(t_cfg, t_w, gen, 4, sd3.PEFT_DEFAULT)
    lora = {}
    for m, (a, b) in peft.items():
        lora[f"transformer.{m}.lora_A.weight"], lora[f"transformer.{m}.lora_B.weight"] = a, b
    sd3.write_safetensors(OUT / "lora_peft.safetensors", lora, {"format": "pt"})  # no metadata: scale 1 (§5.1)

    T, lat = 11, t_cfg["in_channels"]
    inp = {"noise": torch.randn(2, lat, 12, 16, generator=gen),  # batch 2, image 24 x 32 (VAE factor 2)
           "context": torch.randn(2, T, t_cfg["joint_attention_dim"], generator=gen),
           "pooled": torch.randn(2, t_cfg["pooled_projection_dim"], generator=gen)}
    vae = vae_ref.Vae(v_cfg, v_w)
    out = {}
    for name, (g, steps, sampler, mult) in CASES.items():
        adapters = [] if mult is None else [{m: (a, b, mult) for m, (a, b) in peft.items()}]
        model = sd3.Model(t_cfg, t_w, adapters)
        out[f"{name}.latents"], out[f"{name}.image"] = generate(model, vae, v_cfg, inp["context"], inp["pooled"],
                                                                inp["noise"], g, steps, sampler)
    model = sd3.Model(t_cfg, t_w, [])
    slg = (SLG["layers"], SLG["scale"], SLG["start"], SLG["stop"], SLG["steps"])
    out["slg.latents"], out["slg.image"] = generate(model, vae, v_cfg, inp["context"], inp["pooled"], inp["noise"],
                                                    SLG["guidance"], SLG["steps"], sd3.euler, slg)
    ctx, pooled, ids = text_conditioning(OUT / "tiny-sd3")
    out.update(ids)
    out["text.latents"], out["text.image"] = generate(model, vae, v_cfg, ctx, pooled, inp["noise"],
                                                      TEXT_CASE["guidance"], TEXT_CASE["steps"], sd3.euler)
    meta = {name: json.dumps({"guidance": g, "steps": s, "sampler": f.__name__, "lora": m})
            for name, (g, s, f, m) in CASES.items()}
    meta["slg"] = json.dumps(SLG)
    meta["text"] = json.dumps(TEXT_CASE, ensure_ascii=False)
    sd3.write_safetensors(OUT / "expected.safetensors", {**inp, **out}, meta)
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())  # rglob does not enter the symlinks
    assert total < 2_000_000, total
    print(f"pipeline fixtures: {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
