package studio.captioner.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Merges mentions into entities by (class, colour); see {@link PromptParser} for the rules. */
final class EntityBuilder {
    private static final class Draft {
        final String className;
        final boolean thing;
        String colour;
        Integer count;
        final List<PromptEntity.Position> positions = new ArrayList<>();
        final String text;

        Draft(PromptParser.Mention m) {
            this.className = m.category().name();
            this.thing = m.category().thing();
            this.colour = m.colour();
            this.text = m.text();
        }
    }

    private final List<Draft> drafts = new ArrayList<>();

    /** The entity index this mention refers to (an existing one or a new one); -1 for an ambiguous "the circle". */
    int add(PromptParser.Mention m) {
        int found = -1;
        List<Integer> sameClass = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            Draft d = drafts.get(i);
            if (d.className.equals(m.category().name())) {
                sameClass.add(i);
                if (Objects.equals(d.colour, m.colour())) {
                    found = i;
                }
            }
        }
        if (found < 0 && m.colour() == null && m.definite() && sameClass.size() == 1) {
            found = sameClass.get(0);
        }
        if (found < 0 && m.colour() == null && m.definite() && sameClass.size() > 1) {
            return -1;
        }
        if (found < 0 && m.colour() != null && sameClass.size() == 1 && drafts.get(sameClass.get(0)).colour == null
                && drafts.get(sameClass.get(0)).count == null) {
            found = sameClass.get(0); // "the circles ... the red circle": the colour refines an unnamed one
            drafts.get(found).colour = m.colour();
        }
        if (found < 0) {
            drafts.add(new Draft(m));
            found = drafts.size() - 1;
        }
        Draft d = drafts.get(found);
        if (m.count() != null && m.category().thing()) {
            d.count = d.count == null ? m.count() : Math.max(d.count, m.count());
        }
        return found;
    }

    void position(int entity, PromptEntity.Position p) {
        drafts.get(entity).positions.add(p);
    }

    List<PromptEntity> build() {
        List<PromptEntity> out = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            Draft d = drafts.get(i);
            Integer count = d.thing ? (d.count == null ? Integer.valueOf(1) : d.count) : null;
            out.add(new PromptEntity(i, d.className, d.thing, d.colour, count, d.positions, d.text));
        }
        return out;
    }
}
