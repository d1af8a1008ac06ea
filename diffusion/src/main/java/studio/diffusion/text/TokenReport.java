package studio.diffusion.text;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each encoder made of one prompt: how many tokens it had, how many it kept, in how many CLIP
 * chunks, and the exact text it dropped (the prompt as typed, from the first dropped token on; "" when
 * nothing was dropped). Produced for every request, so nothing is truncated silently: the pipeline prints
 * it ({@code studio generate}) and stores it in every image's JSON ({@link #toJson()}).
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

        /**
         * A source that takes {@code text} whole as {@code tokens} positions, e.g. precomputed embeddings
         * (nothing to drop: their producer decided the length).
         */
        public static Encoder whole(String name, String text, int tokens) {
            return new Encoder(name, text, tokens, tokens, tokens, 1, text.length(), "");
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

    /**
     * One line per encoder, e.g. {@code t5: 301 tokens of 255, dropped: "…"} or
     * {@code clip_l: 129 tokens of 150 in 2 chunks, nothing dropped}.
     */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Encoder e : encoders) {
            String chunks = e.name().startsWith("clip") ? " in " + e.chunks() + (e.chunks() == 1 ? " chunk" : " chunks") : "";
            out.add(e.name() + ": " + e.tokens() + " tokens of " + e.capacity() + chunks
                    + (e.truncated() ? ", dropped: \"" + e.dropped() + "\"" : ", nothing dropped"));
        }
        return out;
    }

    /** As JSON-ready maps, one per encoder, in the image metadata's {@code token_report}. */
    public List<Map<String, Object>> toJson() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Encoder e : encoders) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("encoder", e.name());
            m.put("text", e.text());
            m.put("tokens", e.tokens());
            m.put("kept", e.kept());
            m.put("capacity", e.capacity());
            m.put("chunks", e.chunks());
            m.put("dropped_from", e.droppedFrom());
            m.put("dropped", e.dropped());
            list.add(m);
        }
        return list;
    }

    /** The lines of {@link #lines()} joined, for logs. */
    public String summary() {
        return String.join("\n", lines()) + "\n";
    }
}
