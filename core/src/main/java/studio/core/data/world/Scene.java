package studio.core.data.world;

import java.util.List;

/**
 * One world image as a resolution-free scene graph: stuff regions top to bottom, things in z-order
 * (later ones are drawn on top), and the lighting. Coordinates are fractions of the canvas side, so the
 * same scene renders at any size (WORLD.md "Canvas").
 */
public record Scene(Lighting lighting, List<StuffRegion> stuff, List<Thing> things) {
    public Scene {
        stuff = List.copyOf(stuff);
        things = List.copyOf(things);
    }

    /** A horizontal band of stuff from {@code top} to {@code bottom} (fractions; the regions tile [0, 1]). */
    public record StuffRegion(StuffKind kind, double top, double bottom, int[] rgb, double phase1, double phase2, String attribute) {}

    /** A thing: class, colour, size, centre and radius (fractions of the side), drawn colour. */
    public record Thing(ShapeClass shape, WorldColour colour, ThingSize size, double cx, double cy, double radius, int[] rgb) {}
}
