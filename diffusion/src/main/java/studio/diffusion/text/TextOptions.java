package studio.diffusion.text;

import studio.core.BadInputException;

/**
 * How long prompts are encoded; stored by the pipeline with every image and LoRA so that training and
 * inference encode alike (ANCHORS.md §0.1).
 *
 * @param t5Length T5 positions (diffusers' max_sequence_length): 256 by default, at most 512;
 *     the prompt keeps t5Length − 1 tokens, then {@code </s>}, then pads
 * @param clipMaxChunks at most this many 77-position CLIP chunks (75 prompt tokens each); 4 by
 *     default (300 tokens, beyond T5's default 255), tokens past it are dropped and reported
 */
public record TextOptions(int t5Length, int clipMaxChunks) {
    public static final int T5_MAX = 512;

    public TextOptions {
        if (t5Length < 1 || t5Length > T5_MAX) {
            throw new BadInputException("t5_length", "must be in 1.." + T5_MAX + " (SD3.md §4.6), got " + t5Length);
        }
        if (clipMaxChunks < 1) {
            throw new BadInputException("clip_max_chunks", "must be at least 1, got " + clipMaxChunks);
        }
    }

    public static TextOptions defaults() {
        return new TextOptions(256, 4);
    }

    public TextOptions withT5Length(int length) {
        return new TextOptions(length, clipMaxChunks);
    }
}
