package studio.eval.clipscore;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Caption clean-up before text embedding: PanCap grounding tags out, sentences apart. */
public final class CaptionText {
    /**
     * A COCONut-PanCap grounding tag {@code <ids: phrase>}, e.g. {@code <3: a red bus>} or {@code < 62,63,48: people>}
     * (the regex PANORAMA's {@code data/dataset_coconut_pancap.py} uses; EVAL.md §3.2).
     */
    private static final Pattern TAG = Pattern.compile("<\\s*([0-9]+(?:\\s*,\\s*[0-9]+)*)\\s*:\\s*([^>]*)>");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+|\\s*\\n+\\s*");

    private CaptionText() {}

    /** Each tag replaced by its phrase, whitespace collapsed. */
    public static String stripTags(String caption) {
        Matcher m = TAG.matcher(caption);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(2).trim()));
        }
        m.appendTail(out);
        return out.toString().replaceAll("\\s+", " ").trim();
    }

    /** Sentences: split after '.', '!' or '?' followed by white space, and at line breaks; empty pieces dropped. */
    public static List<String> sentences(String text) {
        return Arrays.stream(SENTENCE_END.split(text.trim())).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
