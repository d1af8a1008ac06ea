package studio.core.data.world;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import studio.core.data.caption.TagConvention;
import studio.core.data.caption.TagParser;
import studio.core.data.world.RenderedScene.Segment;

/**
 * Writes the long grounded caption of a rendered scene (WORLD.md "Captions"): the scene and lighting,
 * each stuff region with an attribute, each thing (or counted group) with colour, size and position,
 * relations for salient pairs, in varied wording, 60–200 words. Every statement is derived from the
 * rendered segments (mask boxes, occlusion), so it is true of the picture; every tag names a real
 * segment through {@link TagConvention}.
 *
 * <p>Sentences are pieces with a place in the text and a priority: the required ones (opening,
 * every stuff region, every thing) always go in; optional ones are added by priority while the
 * caption stays under {@value #MAX_WORDS} words; short captions are topped up with true fillers.
 */
final class CaptionComposer {
    static final int MIN_WORDS = 60;
    static final int MAX_WORDS = 200;
    private static final int MAX_RELATIONS = 3;
    private static final String[] ORDINALS = {"first", "second", "third", "fourth", "fifth", "sixth"};

    private record Piece(int order, int priority, String text, int words) {}

    private final RenderedScene rs;
    private final WorldRandom random;
    private final List<List<Segment>> groups;
    private final List<Piece> required = new ArrayList<>();
    private final List<Piece> optional = new ArrayList<>();

    private CaptionComposer(RenderedScene rs, WorldRandom random) {
        this.rs = rs;
        this.random = random;
        this.groups = WorldGroups.of(rs);
    }

    static String grounded(RenderedScene rs, WorldRandom random) {
        return new CaptionComposer(rs, random).compose();
    }

    private String compose() {
        add(true, 0, 0, opening());
        add(false, 100, 3, countSentence());
        add(false, 200, 2, lightingSentence());
        List<Segment> stuff = rs.stuff();
        for (int i = 0; i < stuff.size(); i++) {
            add(true, 300 + 2 * i, 0, stuffSentence(stuff.get(i)));
            add(false, 301 + 2 * i, 4, "The " + rs.stuffOf(stuff.get(i)).kind().noun() + " " + rs.stuffOf(stuff.get(i)).kind().texture() + ".");
        }
        for (int g = 0; g < groups.size(); g++) {
            addGroup(g, groups.get(g));
        }
        List<String> relations = relations();
        for (int r = 0; r < relations.size(); r++) {
            add(false, 700 + r, 2, relations.get(r));
        }
        add(false, 800, 6, random.pick("There is nothing else in the picture.", "No other objects are visible.",
                "Apart from these shapes, the scene is empty."));
        return assemble();
    }

    private void add(boolean mandatory, int order, int priority, String text) {
        Piece piece = new Piece(order, priority, text, TagParser.parse(text, "world caption").wordCount());
        (mandatory ? required : optional).add(piece);
    }

    private String assemble() {
        List<Piece> chosen = new ArrayList<>(required);
        int words = required.stream().mapToInt(Piece::words).sum();
        optional.sort(Comparator.comparingInt(Piece::priority).thenComparingInt(Piece::order));
        for (Piece p : optional) {
            if (words + p.words() <= MAX_WORDS) {
                chosen.add(p);
                words += p.words();
            }
        }
        List<String> fillers = fillers();
        for (int i = 0; words < MIN_WORDS && i < fillers.size(); i++) {
            Piece p = new Piece(900 + i, 9, fillers.get(i), TagParser.parse(fillers.get(i), "world caption").wordCount());
            chosen.add(p);
            words += p.words();
        }
        chosen.sort(Comparator.comparingInt(Piece::order));
        return chosen.stream().map(Piece::text).collect(Collectors.joining(" "));
    }

    private String opening() {
        String verb = random.pick("The picture shows", "This image shows", "Here we see", "The image depicts");
        List<StuffKind> kinds = rs.scene().stuff().stream().map(Scene.StuffRegion::kind).toList();
        String place;
        if (kinds.contains(StuffKind.SKY)) {
            place = random.pick("a simple outdoor scene", "an open outdoor view", "a quiet outdoor landscape");
        } else if (kinds.contains(StuffKind.WALL) && kinds.size() > 1) {
            place = random.pick("a simple indoor scene", "a plain room", "a bare interior");
        } else {
            place = "a simple scene with a single background of " + kinds.get(0).noun();
        }
        String light = switch (rs.scene().lighting()) {
            case BRIGHT -> random.pick("in bright, even light", "under bright light");
            case DIM -> random.pick("in dim, subdued light", "in low light");
            case WARM -> random.pick("in warm, golden light", "bathed in a warm glow");
        };
        return verb + " " + place + " " + light + ".";
    }

    private String countSentence() {
        int n = rs.things().size();
        List<String> items = groups.stream().map(g -> groupWords(g, false)).toList();
        if (n == 1) {
            return "There is a single object in it: " + items.get(0) + ".";
        }
        return random.pick("Altogether there are ", "In total there are ") + Phrasing.number(n) + " objects: "
                + Phrasing.list(items) + ".";
    }

    private String lightingSentence() {
        return switch (rs.scene().lighting()) {
            case BRIGHT -> random.pick("The lighting is bright and even, so the colours look clear and vivid.",
                    "Bright light falls evenly over everything, and the colours look vivid.");
            case DIM -> random.pick("The lighting is dim, which makes every colour look darker and more muted.",
                    "Little light falls on the scene, so all the colours appear dark and subdued.");
            case WARM -> random.pick("The light is warm, giving every colour a slightly yellow, golden cast.",
                    "A warm light tints the whole scene with a soft golden hue.");
        };
    }

    private String stuffSentence(Segment s) {
        Scene.StuffRegion region = rs.stuffOf(s);
        String noun = region.kind().noun();
        String extent = Phrasing.extent(region);
        return switch (random.nextInt(3)) {
            case 0 -> tag(List.of(s), "The " + region.attribute() + " " + noun) + " fills " + extent + ".";
            case 1 -> tag(List.of(s), "The " + noun) + " is " + region.attribute() + " and covers " + extent + ".";
            default -> Phrasing.capitalise(extent) + " is taken up by " + tag(List.of(s), "the " + region.attribute() + " " + noun) + ".";
        };
    }

    /** A counted group as words: "two small red circles", "a blue star" (size only when all share it). */
    private String groupWords(List<Segment> group, boolean withArticleCapital) {
        Scene.Thing first = rs.thingOf(group.get(0));
        boolean sameSize = group.stream().allMatch(s -> rs.thingOf(s).size() == first.size());
        String size = sameSize ? Phrasing.sizeWord(first.size()) + " " : "";
        String words = group.size() == 1
                ? Phrasing.withArticle(size + first.colour().word() + " " + first.shape().noun())
                : Phrasing.number(group.size()) + " " + size + first.colour().word() + " " + first.shape().plural();
        return withArticleCapital ? Phrasing.capitalise(words) : words;
    }

    private void addGroup(int g, List<Segment> group) {
        int order = 400 + 3 * g;
        String detail = rs.thingOf(group.get(0)).shape().detail();
        if (group.size() == 1) {
            add(true, order, 0, singleThing(group.get(0)));
            add(false, order + 2, 5, detail);
            return;
        }
        String all = tag(group, groupWords(group, true));
        add(true, order, 0, random.pick(all + " " + random.pick("appear in the picture.", "can be seen.", "are part of the scene."),
                "There are " + tag(group, groupWords(group, false)) + " in the picture."));
        add(false, order + 1, 1, members(group));
        add(false, order + 2, 5, detail.startsWith("Its ") ? "Their " + detail.substring(4) : "Each " + detail.substring(3));
    }

    private String singleThing(Segment s) {
        Scene.Thing t = rs.thingOf(s);
        String words = Phrasing.withArticle(Phrasing.sizeWord(t.size()) + " " + t.colour().word() + " " + t.shape().noun());
        String position = Phrasing.position(s.geometry().bbox(), rs.size(), random.nextBoolean());
        String where = stuffUnder(t).orElse("");
        return switch (random.nextInt(3)) {
            case 0 -> tag(List.of(s), Phrasing.capitalise(words)) + " "
                    + random.pick("sits", "is placed", "appears") + " " + position + where + ".";
            case 1 -> Phrasing.capitalise(position) + ", there is " + tag(List.of(s), words) + where + ".";
            default -> random.pick("One can see ", "You can see ") + tag(List.of(s), words) + " " + position + where + ".";
        };
    }

    /** ", on <k: the grass>" for the stuff region under the thing's centre, when it is visible. */
    private Optional<String> stuffUnder(Scene.Thing t) {
        return rs.stuffAt(t.cy()).map(s -> ", " + rs.stuffOf(s).kind().preposition() + " "
                + tag(List.of(s), "the " + rs.stuffOf(s).kind().noun()));
    }

    /** "From left to right, <a: the first> is at the top left and <b: the second> is on the right." */
    private String members(List<Segment> group) {
        boolean sameSize = group.stream().allMatch(s -> rs.thingOf(s).size() == rs.thingOf(group.get(0)).size());
        List<Segment> sorted = new ArrayList<>(group);
        sorted.sort(Comparator.comparingDouble((Segment s) -> s.geometry().bbox().centreX()).thenComparingInt(Segment::id));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            Segment s = sorted.get(i);
            String size = sameSize ? "" : "is " + Phrasing.sizeWord(rs.thingOf(s).size()) + " and ";
            String verb = sameSize ? "is " : "";
            parts.add(tag(List.of(s), "the " + ORDINALS[i]) + " " + size + verb
                    + Phrasing.position(s.geometry().bbox(), rs.size(), random.nextBoolean()));
        }
        return "From left to right, " + Phrasing.list(parts) + ".";
    }

    private List<String> relations() {
        List<String> out = new ArrayList<>();
        List<Segment> things = rs.things();
        for (Segment top : things) {
            for (int coveredId : top.covers()) {
                Segment under = things.stream().filter(s -> s.id() == coveredId).findFirst().orElseThrow();
                Optional<String> a = reference(top);
                Optional<String> b = reference(under);
                if (a.isPresent() && b.isPresent() && out.size() < MAX_RELATIONS) {
                    out.add(random.nextBoolean()
                            ? tag(List.of(top), Phrasing.capitalise(a.get())) + " partly covers " + tag(List.of(under), b.get()) + "."
                            : tag(List.of(under), Phrasing.capitalise(b.get())) + " is partly hidden behind " + tag(List.of(top), a.get()) + ".");
                }
            }
        }
        for (Segment[] pair : spatialPairs()) {
            if (out.size() >= MAX_RELATIONS) {
                break;
            }
            spatial(pair[0], pair[1]).ifPresent(out::add);
        }
        return out;
    }

    /** Pairs from different groups that do not overlap, largest combined area first. */
    private List<Segment[]> spatialPairs() {
        List<Segment> things = rs.things();
        List<Segment[]> pairs = new ArrayList<>();
        for (int i = 0; i < things.size(); i++) {
            for (int j = i + 1; j < things.size(); j++) {
                Segment a = things.get(i);
                Segment b = things.get(j);
                boolean overlap = a.covers().contains(b.id()) || b.covers().contains(a.id());
                if (!overlap && WorldGroups.groupOf(groups, a) != WorldGroups.groupOf(groups, b)) {
                    pairs.add(new Segment[] {a, b});
                }
            }
        }
        pairs.sort(Comparator.comparingLong((Segment[] p) -> -(p[0].geometry().area() + p[1].geometry().area()))
                .thenComparingInt(p -> p[0].id()).thenComparingInt(p -> p[1].id()));
        return pairs;
    }

    private Optional<String> spatial(Segment a, Segment b) {
        Optional<String> refA = reference(a);
        Optional<String> refB = reference(b);
        if (refA.isEmpty() || refB.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> relation = Relations.geneval(a.geometry().bbox(), b.geometry().bbox());
        if (relation.isEmpty()) {
            return Relations.nextTo(a.geometry().bbox(), b.geometry().bbox(), rs.size())
                    ? Optional.of(tag(List.of(a), Phrasing.capitalise(refA.get())) + " is " + random.pick("next to ", "beside ")
                            + tag(List.of(b), refB.get()) + ".")
                    : Optional.empty();
        }
        boolean flip = random.nextBoolean();
        Segment subject = flip ? b : a;
        Segment object = flip ? a : b;
        String rel = flip ? Relations.inverse(relation.get()) : relation.get();
        String verb = switch (rel) {
            case "left of" -> random.pick("is to the left of ", "lies left of ");
            case "right of" -> random.pick("is to the right of ", "lies right of ");
            case "above" -> random.pick("is above ", "sits higher up than ");
            default -> random.pick("is below ", "sits lower down than ");
        };
        return Optional.of(tag(List.of(subject), Phrasing.capitalise(reference(subject).orElseThrow())) + " " + verb
                + tag(List.of(object), reference(object).orElseThrow()) + ".");
    }

    /** A definite description that picks out exactly this thing among the visible ones, if there is one. */
    private Optional<String> reference(Segment s) {
        Scene.Thing t = rs.thingOf(s);
        List<Segment> same = rs.things().stream().filter(o -> rs.thingOf(o).shape() == t.shape() && rs.thingOf(o).colour() == t.colour()).toList();
        String base = t.colour().word() + " " + t.shape().noun();
        if (same.size() == 1) {
            return Optional.of("the " + base);
        }
        if (same.stream().filter(o -> rs.thingOf(o).size() == t.size()).count() == 1) {
            return Optional.of("the " + Phrasing.sizeWord(t.size()) + " " + base);
        }
        String position = Phrasing.position(s.geometry().bbox(), rs.size(), false);
        long samePosition = same.stream().filter(o -> Phrasing.position(o.geometry().bbox(), rs.size(), false).equals(position)).count();
        return samePosition == 1 ? Optional.of("the " + base + " " + position) : Optional.empty();
    }

    private List<String> fillers() {
        List<String> nouns = rs.stuff().stream().map(s -> rs.stuffOf(s).kind().noun()).toList();
        return List.of(
                "Every shape is flat and simple, with only a soft highlight towards its upper left.",
                "The background is made up of " + Phrasing.number(nouns.size()) + (nouns.size() == 1 ? " region: the " : " regions: the ")
                        + Phrasing.list(nouns) + ".",
                "None of the shapes casts a shadow on the background.",
                "No people, animals or text appear anywhere in the image.",
                "The whole picture is drawn with clean, smooth edges.",
                "The composition is simple and uncluttered.");
    }

    /** One tag over the given segments, e.g. {@code <3,4: two small red circles>}. */
    private static String tag(List<Segment> segments, String phrase) {
        return "<" + segments.stream().map(s -> String.valueOf(TagConvention.tagNumber(s.id()))).collect(Collectors.joining(","))
                + ": " + phrase + ">";
    }
}
