package studio.captioner.check;

import java.util.ArrayList;
import java.util.List;
import studio.captioner.GroundedResult;
import studio.core.data.caption.Phrase;

/**
 * Relations a grounded caption states between its tagged phrases: within a sentence, the text between
 * two consecutive single-segment phrases matched with {@link PromptParser#relationBetween}. Each item
 * is {@code {subject segment id, index in PromptParser.RELATIONS, object segment id}}.
 */
final class CaptionRelations {
    private CaptionRelations() {}

    static List<long[]> of(GroundedResult result) {
        var caption = result.parsedCaption("caption of the image");
        String plain = caption.plain();
        List<long[]> out = new ArrayList<>();
        List<Phrase> phrases = caption.phrases();
        for (int i = 0; i + 1 < phrases.size(); i++) {
            Phrase a = phrases.get(i);
            Phrase b = phrases.get(i + 1);
            String between = plain.substring(a.end(), b.start());
            if (a.segmentIds().size() != 1 || b.segmentIds().size() != 1 || between.matches(".*[.!?;].*")) {
                continue;
            }
            String rel = PromptParser.relationBetween(between.toLowerCase(java.util.Locale.ROOT));
            if (rel != null) {
                out.add(new long[] {a.segmentIds().get(0), PromptParser.RELATIONS.indexOf(rel), b.segmentIds().get(0)});
            }
        }
        return out;
    }
}
