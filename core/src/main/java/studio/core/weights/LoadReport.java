package studio.core.weights;

import java.util.List;

/**
 * What a strict load found (STYLE.md lesson 4, nanoGPT's key-count assert and sd3.5's
 * "Skipping key" / "shape mismatch" lines, here collected instead of printed one by one).
 *
 * @param source the file or folder the weights came from
 * @param missing keys the model asked for that the file lacks
 * @param misShaped keys present with another shape, each as {@code "key: file [a, b], model [c, d]"}
 * @param unused keys in the file that nothing asked for (not an error; logged in one line)
 */
public record LoadReport(String source, List<String> missing, List<String> misShaped, List<String> unused) {

    public LoadReport {
        missing = List.copyOf(missing);
        misShaped = List.copyOf(misShaped);
        unused = List.copyOf(unused);
    }

    /** The report of a model built from random values: nothing loaded, nothing to miss. */
    public static LoadReport random() {
        return new LoadReport("random", List.of(), List.of(), List.of());
    }

    /** True when nothing is missing or mis-shaped; unused keys do not count. */
    public boolean complete() {
        return missing.isEmpty() && misShaped.isEmpty();
    }

    /** One line, e.g. {@code "3 missing (a, b, c); 0 mis-shaped; 12 unused (x, y, ... +9 more)"}. */
    public String summary() {
        return missing.size() + " missing" + sample(missing) + "; "
                + misShaped.size() + " mis-shaped" + sample(misShaped) + "; "
                + unused.size() + " unused" + sample(unused);
    }

    private static String sample(List<String> keys) {
        if (keys.isEmpty()) {
            return "";
        }
        int shown = Math.min(keys.size(), 5);
        String head = String.join(", ", keys.subList(0, shown));
        return " (" + head + (keys.size() > shown ? ", ... +" + (keys.size() - shown) + " more" : "") + ")";
    }
}
