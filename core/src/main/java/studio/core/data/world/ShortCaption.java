package studio.core.data.world;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import studio.core.data.world.RenderedScene.Segment;

/**
 * The COCO-style one-liner of a scene (WORLD.md "Short caption"), e.g. "two red circles and a blue
 * star on grass under a sky": the biggest groups (up to three) and the setting, from the same
 * segments as the grounded caption.
 */
final class ShortCaption {
    /** Beyond this many groups the caption names the two biggest and "other shapes", to stay short. */
    private static final int MAX_GROUPS = 3;

    private ShortCaption() {}

    static String of(RenderedScene rs) {
        List<List<Segment>> groups = new ArrayList<>(WorldGroups.of(rs));
        groups.sort(Comparator.comparingInt((List<Segment> g) -> -g.size()).thenComparingInt(g -> g.get(0).id()));
        List<String> items = new ArrayList<>();
        int named = groups.size() > MAX_GROUPS ? MAX_GROUPS - 1 : groups.size();
        for (List<Segment> g : groups.subList(0, named)) {
            Scene.Thing t = rs.thingOf(g.get(0));
            items.add(g.size() == 1 ? Phrasing.withArticle(t.colour().word() + " " + t.shape().noun())
                    : Phrasing.number(g.size()) + " " + t.colour().word() + " " + t.shape().plural());
        }
        if (groups.size() > MAX_GROUPS) {
            items.add("other shapes");
        }
        String things = Phrasing.list(items);
        return things + " " + setting(rs);
    }

    private static String setting(RenderedScene rs) {
        List<StuffKind> kinds = rs.stuff().stream().map(s -> rs.stuffOf(s).kind()).toList();
        boolean sky = kinds.contains(StuffKind.SKY);
        if (kinds.contains(StuffKind.SEA) && kinds.contains(StuffKind.SAND)) {
            return "on a beach by the sea";
        }
        if (kinds.contains(StuffKind.WALL) && kinds.contains(StuffKind.FLOOR)) {
            return "in a room with a wooden floor";
        }
        for (StuffKind ground : List.of(StuffKind.GRASS, StuffKind.SAND, StuffKind.SEA)) {
            if (kinds.contains(ground)) {
                String where = ground == StuffKind.SEA ? "over the sea" : "on " + ground.noun();
                return sky ? where + " under a sky" : where;
            }
        }
        if (kinds.contains(StuffKind.WALL)) {
            return "against a wall";
        }
        return kinds.contains(StuffKind.FLOOR) ? "on a wooden floor" : "in the sky";
    }
}
