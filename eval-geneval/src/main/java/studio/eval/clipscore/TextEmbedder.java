package studio.eval.clipscore;

/** A CLIP-style text tower: a token budget, a token count, and an embedding of (at most) that many tokens. */
public interface TextEmbedder {
    /** Context length including start and end tokens (77 for OpenAI CLIP, 248 for Long-CLIP). */
    int maxTokens();

    /** Tokens {@code text} needs, start and end tokens included. */
    int tokenCount(String text);

    /** The embedding of {@code text}, truncated to {@link #maxTokens()} as {@code clip.tokenize(..., truncate=True)} does. */
    float[] embed(String text);
}
