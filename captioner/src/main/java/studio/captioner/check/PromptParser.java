package studio.captioner.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import studio.core.data.caption.GroundedCaption;
import studio.core.data.caption.TagParser;
import studio.core.data.panoptic.Category;

/**
 * Extracts entities (class, colour, count, position) and relations from a prompt: world prompts and
 * GenEval-style prompts ("a photo of two red circles", "a photo of a star right of a ring") and long
 * world captions, tagged or not. It plays the part of PancapScore's content-extraction step
 * (EVAL.md §4.2 step 1, an LLM there) with fixed rules over the class vocabulary:
 * <ul>
 *   <li>a thing mention is a determiner or number, up to three size/colour words and a class noun
 *       (singular or plural); a stuff mention is its noun;</li>
 *   <li>mentions of the same class and colour are one entity (the world groups things that way);
 *       a definite mention without colour joins the only entity of its class (and is ignored when
 *       several could be meant); counts come from
 *       numbers and indefinite articles, and "the ..." never sets a count;</li>
 *   <li>a position phrase ("at the top left", "on the right", "in the centre") belongs to the nearest
 *       thing mention in its sentence; "on the left" constrains the column only, "at the top" the row only;</li>
 *   <li>a relation is the text between two consecutive thing mentions of a sentence matching
 *       {@code (is|lies|sits)? (to the)? RELATION}, where RELATION is left of, right of, above, below
 *       (also "higher up than", "lower down than"), next to / beside, or partly covers / partly hidden behind.</li>
 * </ul>
 */
public final class PromptParser {
    public static final List<String> COLOURS = List.of("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white");
    public static final List<String> RELATIONS = List.of("left of", "right of", "above", "below", "next to", "overlapping");
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(Map.entry("a", 1), Map.entry("an", 1), Map.entry("one", 1),
            Map.entry("single", 1), Map.entry("two", 2), Map.entry("three", 3), Map.entry("four", 4), Map.entry("five", 5),
            Map.entry("six", 6), Map.entry("seven", 7), Map.entry("eight", 8), Map.entry("nine", 9), Map.entry("ten", 10));
    private static final String MODIFIER = "(?:small|medium-sized|medium|large|big|tiny|dark|light|bright|" + String.join("|", COLOURS) + ")";
    private static final Pattern RELATION = Pattern.compile(
            "^,?\\s*(?:is\\s+|lies\\s+|sits\\s+)?(?:to\\s+the\\s+|just\\s+)?(left of|right of|above|below|higher up than|lower down than|next to|beside|partly covers|partly hidden behind)\\s*$");
    private static final Pattern POSITION = Pattern.compile("\\b(?:(at|in) the (top|bottom|upper|lower) (left|right)"
            + "|(at|near) the (top|bottom)|on the (left|right)(?: side)?|in the (centre|center)|in the middle of the (?:picture|image))\\b");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?;]+(?:\\s+|$)");

    private final List<Category> classes;
    private final Pattern mention;

    public PromptParser(Iterable<Category> categories) {
        List<Category> list = new ArrayList<>();
        categories.forEach(list::add);
        list.sort(Comparator.comparingInt((Category c) -> -c.name().length()));
        this.classes = list;
        List<String> nouns = new ArrayList<>();
        for (Category c : list) {
            nouns.add(Pattern.quote(plural(c.name())));
            nouns.add(Pattern.quote(c.name()));
        }
        this.mention = Pattern.compile("\\b(?:(" + String.join("|", NUMBERS.keySet()) + "|the|\\d+)\\s+)?((?:" + MODIFIER + "\\s+){0,3})("
                + String.join("|", nouns) + ")\\b");
    }

    /** English plural of a class name (last word): cross → crosses, bus → buses, else +s. */
    public static String plural(String name) {
        if (name.matches(".*(s|x|z|ch|sh)")) {
            return name + "es";
        }
        if (name.matches(".*[^aeiou]y")) {
            return name.substring(0, name.length() - 1) + "ies";
        }
        return name + "s";
    }

    /** A mention in the text: its span, class, colour, count (null when unsaid) and whether it is definite. */
    record Mention(int start, int end, Category category, String colour, Integer count, boolean definite, String text) {}

    /** The entities and relations of a prompt (tags, if any, are removed first). */
    public Extraction parse(String prompt) {
        String text = plainText(prompt).toLowerCase(Locale.ROOT);
        EntityBuilder builder = new EntityBuilder();
        List<PromptRelation> relations = new ArrayList<>();
        for (String sentence : sentences(text)) {
            List<Mention> mentions = mentions(sentence);
            List<Integer> ids = new ArrayList<>();
            mentions.forEach(m -> ids.add(builder.add(m)));
            attachPositions(sentence, mentions, ids, builder);
            for (int i = 0; i + 1 < mentions.size(); i++) {
                Mention a = mentions.get(i);
                Mention b = mentions.get(i + 1);
                String rel = relationBetween(sentence.substring(a.end(), b.start()));
                if (rel != null && a.category().thing() && b.category().thing() && ids.get(i) >= 0 && ids.get(i + 1) >= 0
                        && !ids.get(i).equals(ids.get(i + 1))) {
                    relations.add(new PromptRelation(ids.get(i), rel, ids.get(i + 1), sentence.substring(a.start(), b.end())));
                }
            }
        }
        return new Extraction(builder.build(), relations.stream().distinct().toList());
    }

    public record Extraction(List<PromptEntity> entities, List<PromptRelation> relations) {}

    static String plainText(String prompt) {
        if (prompt.indexOf('<') < 0) {
            return prompt.trim();
        }
        try {
            GroundedCaption c = TagParser.parse(prompt, "prompt");
            return c.plain();
        } catch (RuntimeException e) {
            return prompt.replaceAll("[<>]", " ").trim();
        }
    }

    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        for (String s : SENTENCE_END.split(text)) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    List<Mention> mentions(String sentence) {
        List<Mention> out = new ArrayList<>();
        Matcher m = mention.matcher(sentence);
        while (m.find()) {
            Category c = categoryOf(m.group(3));
            String det = m.group(1);
            if (c.thing() && det == null) {
                continue; // "the classic rounded heart outline": a class word that names no object
            }
            String colour = null;
            for (String w : m.group(2).trim().split("\\s+")) {
                if (COLOURS.contains(w)) {
                    colour = w;
                }
            }
            boolean definite = "the".equals(det);
            Integer count = det == null || definite ? null : det.matches("\\d+") ? Integer.valueOf(det) : NUMBERS.get(det);
            out.add(new Mention(m.start(), m.end(), c, c.thing() ? colour : null, count, definite, m.group()));
        }
        return out;
    }

    private Category categoryOf(String noun) {
        for (Category c : classes) {
            if (noun.equals(c.name()) || noun.equals(plural(c.name()))) {
                return c;
            }
        }
        throw new IllegalStateException("noun '" + noun + "' matched no class");
    }

    static String relationBetween(String between) {
        Matcher m = RELATION.matcher(between.trim().isEmpty() ? "" : " " + between.trim());
        if (!m.find()) {
            return null;
        }
        return switch (m.group(1)) {
            case "higher up than" -> "above";
            case "lower down than" -> "below";
            case "beside" -> "next to";
            case "partly covers", "partly hidden behind" -> "overlapping";
            default -> m.group(1);
        };
    }

    /** Each position phrase goes to the nearest thing mention of its sentence. */
    private static void attachPositions(String sentence, List<Mention> mentions, List<Integer> ids, EntityBuilder builder) {
        Matcher p = POSITION.matcher(sentence);
        while (p.find()) {
            int best = -1;
            int bestDistance = Integer.MAX_VALUE;
            for (int i = 0; i < mentions.size(); i++) {
                Mention m = mentions.get(i);
                int d = p.start() >= m.end() ? p.start() - m.end() : m.start() >= p.end() ? m.start() - p.end() : 0;
                if (m.category().thing() && d < bestDistance) {
                    best = i;
                    bestDistance = d;
                }
            }
            if (best >= 0 && ids.get(best) >= 0) {
                builder.position(ids.get(best), position(p));
            }
        }
    }

    static PromptEntity.Position position(Matcher p) {
        String words = p.group();
        Integer col = null;
        Integer row = null;
        if (words.contains("left") || words.contains("right")) {
            col = words.contains("left") ? 0 : 2;
        }
        if (words.contains("top") || words.contains("upper") || words.contains("bottom") || words.contains("lower")) {
            row = words.contains("top") || words.contains("upper") ? 0 : 2;
        }
        if (words.contains("centre") || words.contains("center") || words.contains("middle")) {
            col = 1;
            row = 1;
        }
        return new PromptEntity.Position(col, row, words);
    }
}
