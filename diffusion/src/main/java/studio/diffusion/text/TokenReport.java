package studio.diffusion.text;

import java.util.List;

/**
 * What each encoder made of one prompt: how many tokens it had, how many it kept, in how many CLIP
 * chunks, and the exact text it dropped (the prompt as typed, from the first dropped token on; "" when
 * nothing was dropped). Produced for every request, so nothing is truncated silently.
 */
public record TokenReport(List<Encoder> encoders) {

    /**
     * @param name "clip_l", "clip_g" or "t5"
     * @param text the text this encoder was given (prompt, prompt_2 or prompt_3)
     * @param tokens the prompt's tokens, without BOS/EOS/pads
     * @param kept tokens that reached the encoder
     * @param capacity tokens the encoder could take in this request (75 · chunks for CLIP, length − 1 for T5)
     * @param chunks 77-position CLIP chunks (1 for T5)
     * @param droppedFrom char index in {@code text} where the dropped part starts ({@code text.length()}
     *     when nothing was dropped), for highlighting
     * @param dropped the exact text not encoded, {@code text.substring(droppedFrom)}
     */
    public record Encoder(String name, String text, int tokens, int kept, int capacity, int chunks, int droppedFrom,
                          String dropped) {
        public boolean truncated() {
            return kept < tokens;
        }
    }

    public TokenReport {
        encoders = List.copyOf(encoders);
    }

    public boolean truncated() {
        return encoders.stream().anyMatch(Encoder::truncated);
    }

    public Encoder encoder(String name) {
        return encoders.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no encoder " + name));
    }

    /** One line per encoder, e.g. {@code t5: 301 tokens, kept 255, dropped "…"}. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        for (Encoder e : encoders) {
            sb.append(e.name()).append(": ").append(e.tokens()).append(" tokens");
            if (e.name().startsWith("clip")) {
                sb.append(" in ").append(e.chunks()).append(e.chunks() == 1 ? " chunk" : " chunks");
            }
            if (e.truncated()) {
                sb.append(", kept ").append(e.kept()).append(", dropped \"").append(e.dropped()).append('"');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
