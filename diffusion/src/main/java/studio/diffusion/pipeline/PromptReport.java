package studio.diffusion.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each text encoder made of one prompt: tokens used, capacity and the exact text it dropped (nothing is
 * truncated silently). Printed by {@code studio generate} and stored in every image's JSON.
 */
public record PromptReport(String prompt, List<Encoder> encoders) {

    /**
     * One encoder's view. {@code tokens}: prompt tokens it saw (without BOS/EOS/padding); {@code capacity}: how
     * many it can take at this setting; {@code dropped}: the text cut off, "" when none.
     */
    public record Encoder(String name, int tokens, int capacity, String dropped) {}

    public PromptReport {
        encoders = List.copyOf(encoders);
    }

    public boolean truncated() {
        return encoders.stream().anyMatch(e -> !e.dropped().isEmpty());
    }

    /** One line per encoder, e.g. {@code t5: 312 tokens of 255, dropped: "…"}. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Encoder e : encoders) {
            out.add(e.name() + ": " + e.tokens() + " tokens of " + e.capacity()
                    + (e.dropped().isEmpty() ? ", nothing dropped" : ", dropped: \"" + e.dropped() + "\""));
        }
        return out;
    }

    /** As JSON-ready maps. */
    public Map<String, Object> toJson() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Encoder e : encoders) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("encoder", e.name());
            m.put("tokens", e.tokens());
            m.put("capacity", e.capacity());
            m.put("dropped", e.dropped());
            list.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", prompt);
        m.put("encoders", list);
        return m;
    }
}
