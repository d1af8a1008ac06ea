package studio.captioner.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import studio.captioner.GroundedResult;
import studio.captioner.GroundedResult.Segment;
import studio.core.data.caption.Phrase;

/**
 * The closed-loop check: the prompt's entities against a captioner's segments and grounded caption.
 * <ol>
 *   <li>Matching (PancapScore's entity matching, EVAL.md §4.2 step 2, one-to-one by the Hungarian
 *       method): each entity is expanded to as many instances as its count; an instance and a segment
 *       can pair only on the same class (the tag match, −1000), preferring the same colour (−100) and
 *       an agreeing position (−10). Location consistency is judged on the canvas thirds the prompt names,
 *       because a prompt has no boxes to take an IoU with.</li>
 *   <li>Verdicts: missing (nothing matched), wrong colour (no segment of the class has the asked colour),
 *       wrong count (segments of that class and colour in the image ≠ the count), wrong position (a single thing outside the named third), else present.
 *       Relations are checked on the matched segments' boxes with GenEval's rule.</li>
 *   <li>F1s: tag (matched instances over prompt instances and over segments), location, attribute
 *       (colours) and relation (relations in the prompt that hold, against relations the captioner's
 *       caption states that the prompt also states) — PancapScore's dimensions with rule-based items in
 *       place of its LLM question answering (§4.2 step 3).</li>
 * </ol>
 * A segment's colour is the colour word of the caption phrases grounded to it (unknown if none).
 */
public final class PromptCheck {
    private static final double NO_MATCH = 1e6;

    private final PromptParser parser;

    public PromptCheck(PromptParser parser) {
        this.parser = parser;
    }

    public CheckReport check(String prompt, GroundedResult result, String captionerName) {
        PromptParser.Extraction ex = parser.parse(prompt);
        int canvas = Math.max(result.mask().width(), result.mask().height());
        Map<Long, String> colours = segmentColours(result);
        List<int[]> instances = new ArrayList<>(); // {entity index, instance number}
        for (PromptEntity e : ex.entities()) {
            for (int k = 0; k < e.instances(); k++) {
                instances.add(new int[] {e.index(), k});
            }
        }
        List<Segment> segs = result.segments();
        double[][] cost = new double[instances.size()][segs.size()];
        for (int i = 0; i < instances.size(); i++) {
            PromptEntity e = ex.entities().get(instances.get(i)[0]);
            for (int j = 0; j < segs.size(); j++) {
                cost[i][j] = cost(e, segs.get(j), colours.get(segs.get(j).id()), result.mask().width(), result.mask().height());
            }
        }
        int[] assignment = Hungarian.solve(cost);
        Map<Integer, List<Segment>> matched = new HashMap<>();
        int matchedInstances = 0;
        int locationConsistent = 0;
        for (int i = 0; i < instances.size(); i++) {
            int j = assignment[i];
            if (j >= 0 && cost[i][j] < NO_MATCH) {
                PromptEntity e = ex.entities().get(instances.get(i)[0]);
                matched.computeIfAbsent(e.index(), k -> new ArrayList<>()).add(segs.get(j));
                matchedInstances++;
                if (!e.positions().isEmpty() && positionAgrees(e, segs.get(j), result)) {
                    locationConsistent++;
                }
            }
        }
        List<CheckReport.EntityVerdict> verdicts = new ArrayList<>();
        for (PromptEntity e : ex.entities()) {
            verdicts.add(verdict(e, matched.getOrDefault(e.index(), List.of()), segs, colours, result));
        }
        List<CheckReport.RelationVerdict> relations = new ArrayList<>();
        int relationsHolding = 0;
        for (PromptRelation r : ex.relations()) {
            String v = relationVerdict(r, matched, canvas);
            relations.add(new CheckReport.RelationVerdict(r, v));
            relationsHolding += v.equals("holds") ? 1 : 0;
        }
        long promptLocated = instances.stream().filter(in -> !ex.entities().get(in[0]).positions().isEmpty()).count();
        return new CheckReport(prompt, captionerName, verdicts, relations,
                f1(matchedInstances, instances.size(), matchedInstances, segs.size()),
                f1(locationConsistent, promptLocated, locationConsistent, segs.size()),
                attributeF1(ex.entities(), matched, colours),
                relationF1(ex, relationsHolding, matched, result));
    }

    private static double cost(PromptEntity e, Segment s, String colour, int width, int height) {
        if (!e.className().equals(s.className())) {
            return NO_MATCH;
        }
        double c = -1000;
        if (e.colour() == null || colour == null || e.colour().equals(colour)) {
            c -= 100;
        }
        int col = Geometry.third(s.box().centreX(), width);
        int row = Geometry.third(s.box().centreY(), height);
        if (e.positions().stream().allMatch(p -> p.agrees(col, row))) {
            c -= 10;
        }
        return c;
    }

    private static boolean positionAgrees(PromptEntity e, Segment s, GroundedResult r) {
        int col = Geometry.third(s.box().centreX(), r.mask().width());
        int row = Geometry.third(s.box().centreY(), r.mask().height());
        return e.positions().stream().allMatch(p -> p.agrees(col, row));
    }

    private static CheckReport.EntityVerdict verdict(PromptEntity e, List<Segment> mine, List<Segment> all, Map<Long, String> colours,
            GroundedResult r) {
        List<String> problems = new ArrayList<>();
        List<CheckReport.Status> statuses = new ArrayList<>();
        List<Long> ids = mine.stream().map(Segment::id).toList();
        if (mine.isEmpty()) {
            return new CheckReport.EntityVerdict(e, CheckReport.Status.MISSING, List.of("no " + e.className() + " segment"), ids);
        }
        // Wrong colour only when no segment of the class has the asked colour; otherwise the shortfall is a count.
        boolean colourWrong = false;
        if (e.isThing() && e.colour() != null && all.stream().noneMatch(s -> s.className().equals(e.className())
                && e.colour().equals(colours.get(s.id())))) {
            for (Segment s : mine) {
                String c = colours.get(s.id());
                if (c != null) {
                    colourWrong = true;
                    problems.add(String.format(Locale.ROOT, "segment %d is %s, not %s", s.id(), c, e.colour()));
                }
            }
            if (colourWrong) {
                statuses.add(CheckReport.Status.WRONG_COLOUR);
            }
        }
        if (e.isThing() && e.count() != null && !colourWrong) {
            boolean byColour = e.colour() != null;
            long found = all.stream().filter(s -> s.className().equals(e.className()))
                    .filter(s -> !byColour || colours.get(s.id()) == null || e.colour().equals(colours.get(s.id()))).count();
            if (found != e.count()) {
                statuses.add(CheckReport.Status.WRONG_COUNT);
                problems.add(String.format(Locale.ROOT, "%d %s%s in the image, the prompt says %d", found, byColour ? e.colour() + " " : "",
                        e.className(), e.count()));
            }
        }
        if (e.isThing() && Objects.equals(e.count(), 1) && !e.positions().isEmpty() && !positionAgrees(e, mine.get(0), r)) {
            statuses.add(CheckReport.Status.WRONG_POSITION);
            Segment s = mine.get(0);
            problems.add(String.format(Locale.ROOT, "segment %d is at column %d, row %d (thirds); the prompt says '%s'", s.id(),
                    Geometry.third(s.box().centreX(), r.mask().width()), Geometry.third(s.box().centreY(), r.mask().height()),
                    e.positions().get(0).words()));
        }
        CheckReport.Status status = statuses.isEmpty() ? CheckReport.Status.PRESENT : statuses.get(0);
        return new CheckReport.EntityVerdict(e, status, problems, ids);
    }

    private static String relationVerdict(PromptRelation r, Map<Integer, List<Segment>> matched, int canvas) {
        List<Segment> a = matched.getOrDefault(r.subject(), List.of());
        List<Segment> b = matched.getOrDefault(r.object(), List.of());
        if (a.isEmpty() || b.isEmpty()) {
            return "unverifiable";
        }
        for (Segment x : a) {
            for (Segment y : b) {
                if (Geometry.holds(r.relation(), x.box(), y.box(), canvas)) {
                    return "holds";
                }
            }
        }
        return "violated";
    }

    private static Double attributeF1(List<PromptEntity> entities, Map<Integer, List<Segment>> matched, Map<Long, String> colours) {
        long promptItems = entities.stream().filter(e -> e.colour() != null).count();
        long promptRight = entities.stream().filter(e -> e.colour() != null && !matched.getOrDefault(e.index(), List.of()).isEmpty()
                && matched.get(e.index()).stream().allMatch(s -> e.colour().equals(colours.get(s.id())))).count();
        long predItems = colours.size();
        long predRight = 0;
        for (PromptEntity e : entities) {
            for (Segment s : matched.getOrDefault(e.index(), List.of())) {
                predRight += e.colour() != null && e.colour().equals(colours.get(s.id())) ? 1 : 0;
            }
        }
        return f1(promptRight, promptItems, predRight, predItems);
    }

    /** Relations the captioner's caption states, as (segment, relation, segment), confirmed when the prompt states the same. */
    private static Double relationF1(PromptParser.Extraction ex, int holding, Map<Integer, List<Segment>> matched, GroundedResult result) {
        Map<Long, Integer> entityOf = new HashMap<>();
        matched.forEach((e, list) -> list.forEach(s -> entityOf.put(s.id(), e)));
        List<long[]> stated = CaptionRelations.of(result);
        long confirmed = stated.stream().filter(t -> ex.relations().stream().anyMatch(r ->
                Objects.equals(entityOf.get(t[0]), r.subject()) && Objects.equals(entityOf.get(t[2]), r.object())
                        && PromptParser.RELATIONS.get((int) t[1]).equals(r.relation()))).count();
        return f1(holding, ex.relations().size(), confirmed, stated.size());
    }

    /** Colour words of the phrases grounded to each segment (the last colour named wins). */
    static Map<Long, String> segmentColours(GroundedResult result) {
        Map<Long, String> out = new HashMap<>();
        for (Phrase p : result.parsedCaption("caption of the image").phrases()) {
            String colour = null;
            for (String w : p.text().toLowerCase(Locale.ROOT).split("[^a-z-]+")) {
                if (PromptParser.COLOURS.contains(w)) {
                    colour = w;
                }
            }
            if (colour != null) {
                for (long id : p.segmentIds()) {
                    String named = colour;
                    result.segment(id).filter(Segment::isThing).ifPresent(s -> out.put(s.id(), named));
                }
            }
        }
        return out;
    }

    /** F1 of recall = rightGold/gold and precision = rightPred/pred; null when both sides are empty. */
    static Double f1(long rightGold, long gold, long rightPred, long pred) {
        if (gold == 0 && pred == 0) {
            return null;
        }
        double recall = gold == 0 ? 0 : (double) rightGold / gold;
        double precision = pred == 0 ? 0 : (double) rightPred / pred;
        return recall + precision == 0 ? 0.0 : 2 * recall * precision / (recall + precision);
    }
}
