package studio.core.data.caption;

import studio.core.BadInputException;

/**
 * A grounded caption whose tags do not follow the COCONut-PanCap grammar ({@code <k: phrase>},
 * {@code <k,l,m: phrase>}). The only exception {@link TagParser} ever throws; the message names the
 * source, the line and column, and the offending tag text.
 */
public final class TagSyntaxException extends BadInputException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String tagText;

    public TagSyntaxException(String source, int line, int column, String tagText, String problem) {
        super(source + ":" + line, "column " + column + ": " + problem + (tagText.isEmpty() ? "" : " in '" + tagText + "'"));
        this.line = line;
        this.column = column;
        this.tagText = tagText;
    }

    /** 1-based line of the caption text where the bad tag starts. */
    public int line() {
        return line;
    }

    /** 1-based column (in chars) where the bad tag starts. */
    public int column() {
        return column;
    }

    /** The tag text as written (cut to a readable length), or empty. */
    public String tagText() {
        return tagText;
    }
}
