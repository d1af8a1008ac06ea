package studio.core.data.caption;

import java.util.stream.Collectors;

/**
 * Writes a {@link GroundedCaption} back as tagged text in one canonical spelling:
 * {@code <k,l: phrase>} (no spaces in the number list, one space after the colon).
 * {@code TagParser.parse(TagWriter.format(c))} equals {@code c} for every caption the parser returns.
 */
public final class TagWriter {
    private TagWriter() {}

    public static String format(GroundedCaption caption) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (Phrase p : caption.phrases()) {
            out.append(caption.plain(), at, p.start());
            out.append(tag(p));
            at = p.end();
        }
        out.append(caption.plain(), at, caption.plain().length());
        return out.toString();
    }

    /** One tag, e.g. {@code <3,4: two small red circles>}. */
    public static String tag(Phrase phrase) {
        return "<" + phrase.tagNumbers().stream().map(String::valueOf).collect(Collectors.joining(","))
                + ": " + phrase.text() + ">";
    }
}
