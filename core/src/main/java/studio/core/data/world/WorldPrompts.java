package studio.core.data.world;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import studio.core.data.geneval.GenevalClause;
import studio.core.data.geneval.GenevalPrompt;
import studio.core.data.geneval.GenevalTask;
import studio.core.data.geneval.Relation;

/**
 * The world's GenEval-schema prompt file (WORLD.md "GenEval-style prompts"): the six tasks over the
 * world's shape classes and GenEval's colours. It keeps the official per-task line counts
 * (80 / 99 / 80 / 94 / 100 / 100 = 553, EVAL.md §1.1) so task weights and images per task match
 * GenEval; with 10 classes, single_object (10 distinct prompts), two_object (90) and counting (30)
 * repeat their distinct prompts in shuffled rounds, the other tasks draw distinct prompts.
 */
final class WorldPrompts {
    static final int SINGLE = 80;
    static final int TWO = 99;
    static final int COUNTING = 80;
    static final int COLORS = 94;
    static final int POSITION = 100;
    static final int COLOR_ATTR = 100;
    private static final List<Relation> RELATIONS = List.of(Relation.values());
    /** The prompt suite uses its own random stream, apart from every image's. */
    private static final long PROMPT_INDEX = -1;

    private final WorldRandom random;
    private final ShapeClass[] classes = ShapeClass.values();
    private final WorldColour[] colours = WorldColour.values();

    private WorldPrompts(long seed) {
        this.random = WorldRandom.of(seed, PROMPT_INDEX, 7);
    }

    static List<GenevalPrompt> generate(long seed) {
        WorldPrompts w = new WorldPrompts(seed);
        List<GenevalPrompt> out = new ArrayList<>();
        out.addAll(w.rounds(w.singles(), SINGLE));
        out.addAll(w.rounds(w.pairs(), TWO));
        out.addAll(w.rounds(w.counts(), COUNTING));
        out.addAll(w.distinct(COLORS, w::colourPrompt));
        out.addAll(w.distinct(POSITION, w::positionPrompt));
        out.addAll(w.distinct(COLOR_ATTR, w::colourAttrPrompt));
        return out;
    }

    private List<GenevalPrompt> singles() {
        List<GenevalPrompt> all = new ArrayList<>();
        for (ShapeClass c : classes) {
            all.add(new GenevalPrompt(GenevalTask.SINGLE_OBJECT, List.of(GenevalClause.of(c.noun(), 1)), List.of(), photoOf(a(c))));
        }
        return all;
    }

    private List<GenevalPrompt> pairs() {
        List<GenevalPrompt> all = new ArrayList<>();
        for (ShapeClass x : classes) {
            for (ShapeClass y : classes) {
                if (x != y) {
                    all.add(new GenevalPrompt(GenevalTask.TWO_OBJECT, List.of(GenevalClause.of(x.noun(), 1), GenevalClause.of(y.noun(), 1)),
                            List.of(), photoOf(a(x) + " and " + a(y))));
                }
            }
        }
        return all;
    }

    private List<GenevalPrompt> counts() {
        List<GenevalPrompt> all = new ArrayList<>();
        for (ShapeClass c : classes) {
            for (int n = 2; n <= 4; n++) {
                all.add(new GenevalPrompt(GenevalTask.COUNTING, List.of(GenevalClause.of(c.noun(), n)), List.of(GenevalClause.of(c.noun(), n + 1)),
                        photoOf(Phrasing.number(n) + " " + c.plural())));
            }
        }
        return all;
    }

    private GenevalPrompt colourPrompt() {
        ShapeClass c = random.pick(classes);
        WorldColour k = random.pick(colours);
        return new GenevalPrompt(GenevalTask.COLORS, List.of(GenevalClause.of(c.noun(), 1).withColor(k.word())), List.of(),
                photoOf(Phrasing.withArticle(k.word() + " " + c.noun())));
    }

    /** First include is the reference; the second is "rel" of it, and the prompt names the second first. */
    private GenevalPrompt positionPrompt() {
        ShapeClass reference = random.pick(classes);
        ShapeClass other = random.pick(classes);
        while (other == reference) {
            other = random.pick(classes);
        }
        Relation relation = random.pick(RELATIONS);
        return new GenevalPrompt(GenevalTask.POSITION,
                List.of(GenevalClause.of(reference.noun(), 1), GenevalClause.of(other.noun(), 1).withPosition(relation, 0)), List.of(),
                photoOf(a(other) + " " + relation.text() + " " + a(reference)));
    }

    private GenevalPrompt colourAttrPrompt() {
        ShapeClass x = random.pick(classes);
        ShapeClass y = random.pick(classes);
        while (y == x) {
            y = random.pick(classes);
        }
        WorldColour kx = random.pick(colours);
        WorldColour ky = random.pick(colours);
        return new GenevalPrompt(GenevalTask.COLOR_ATTR,
                List.of(GenevalClause.of(x.noun(), 1).withColor(kx.word()), GenevalClause.of(y.noun(), 1).withColor(ky.word())),
                List.of(), photoOf(Phrasing.withArticle(kx.word() + " " + x.noun()) + " and " + Phrasing.withArticle(ky.word() + " " + y.noun())));
    }

    /** Shuffled rounds through {@code all} until {@code count} lines. */
    private List<GenevalPrompt> rounds(List<GenevalPrompt> all, int count) {
        List<GenevalPrompt> out = new ArrayList<>();
        while (out.size() < count) {
            List<GenevalPrompt> round = new ArrayList<>(all);
            for (int i = round.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                round.set(j, round.set(i, round.get(j)));
            }
            out.addAll(round.subList(0, Math.min(round.size(), count - out.size())));
        }
        return out;
    }

    private List<GenevalPrompt> distinct(int count, java.util.function.Supplier<GenevalPrompt> draw) {
        Set<GenevalPrompt> out = new LinkedHashSet<>();
        while (out.size() < count) {
            out.add(draw.get());
        }
        return new ArrayList<>(out);
    }

    private static String a(ShapeClass c) {
        return Phrasing.withArticle(c.noun());
    }

    private static String photoOf(String what) {
        return "a photo of " + what;
    }
}
