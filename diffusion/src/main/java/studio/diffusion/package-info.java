/**
 * The maths of text-to-image: MMDiT, VAE, CLIP and T5 text encoders, tokenizers, {@code RectifiedFlow}
 * and samplers, LoRA, the pipeline and the trainer. Knows nothing of HTTP (ARCHITECTURE.md, modules).
 */
package studio.diffusion;
