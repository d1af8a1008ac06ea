package studio.eval.geneval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import studio.core.data.Problems;
import studio.core.data.geneval.GenevalPromptFile;
import studio.core.data.geneval.GenevalPromptLine;

/**
 * The official GenEval prompts ({@code prompts/evaluation_metadata.jsonl}, 553 lines) shipped in this module.
 * Files of the same schema, such as a world's, are read with {@link GenevalPromptFile#read(java.nio.file.Path)}.
 */
public final class Prompts {
    /** Classpath copy of geneval's {@code prompts/evaluation_metadata.jsonl} (553 prompts; see its README). */
    public static final String OFFICIAL_RESOURCE = "evaluation_metadata.jsonl";

    private Prompts() {}

    /** The 553 official GenEval prompts, read from the copy shipped in this module. */
    public static List<GenevalPromptLine> official() throws IOException {
        try (InputStream in = Prompts.class.getResourceAsStream(OFFICIAL_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + OFFICIAL_RESOURCE);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return GenevalPromptFile.parseLines(text.lines().toList(), "geneval:" + OFFICIAL_RESOURCE,
                    GenevalPromptFile.Checks.SCHEMA, Problems.strict());
        }
    }
}
