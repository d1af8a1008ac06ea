package studio.core.data.world;

import java.util.ArrayList;
import java.util.List;
import studio.core.data.world.RenderedScene.Segment;

/** Visible things grouped by (class, colour), in order of first id (WORLD.md: "same-class same-colour groups counted"). */
final class WorldGroups {
    private WorldGroups() {}

    static List<List<Segment>> of(RenderedScene rs) {
        List<List<Segment>> groups = new ArrayList<>();
        for (Segment s : rs.things()) {
            Scene.Thing t = rs.thingOf(s);
            List<Segment> home = null;
            for (List<Segment> g : groups) {
                Scene.Thing first = rs.thingOf(g.get(0));
                if (first.shape() == t.shape() && first.colour() == t.colour()) {
                    home = g;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                groups.add(home);
            }
            home.add(s);
        }
        return groups.stream().map(List::copyOf).toList();
    }

    static int groupOf(List<List<Segment>> groups, Segment s) {
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).contains(s)) {
                return i;
            }
        }
        return -1;
    }
}
