/**
 * SD3's text side (SD3.md §4): {@link studio.diffusion.text.ClipTokenizer} (CLIP BPE, openai semantics),
 * {@link studio.diffusion.text.T5Tokenizer} (DJL Hugging Face tokenizers), the models
 * {@link studio.diffusion.text.ClipTextModel} (CLIP-L / bigG) and {@link studio.diffusion.text.T5Encoder},
 * and {@link studio.diffusion.text.PromptEncoder}, which the pipeline calls:
 * {@code PromptEncoder.load(modelFolder, manager, precision, TextOptions.defaults())},
 * {@code encode(List.of(negative, positive), manager)} → {@link studio.diffusion.text.Conditioning}
 * (context, pooled, one {@link studio.diffusion.text.TokenReport} per prompt), then {@code close()} to
 * free the encoders. Parity with tools/reference/text_reference.py; fixtures under fixtures/text/.
 */
package studio.diffusion.text;
