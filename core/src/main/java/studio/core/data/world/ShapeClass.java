package studio.core.data.world;

/** The ten thing classes of the world (WORLD.md "Things"); category ids 1..10 in this order. */
public enum ShapeClass {
    CIRCLE("circle", "circles", "It is perfectly round."),
    SQUARE("square", "squares", "Its four sides are of equal length."),
    TRIANGLE("triangle", "triangles", "It points straight upwards."),
    STAR("star", "stars", "It has five sharp points."),
    HEART("heart", "hearts", "It has the classic rounded heart outline."),
    DIAMOND("diamond", "diamonds", "It stands on one of its corners."),
    RING("ring", "rings", "It is hollow in the middle."),
    CROSS("cross", "crosses", "Its four arms are of equal length."),
    HEXAGON("hexagon", "hexagons", "It has six straight sides."),
    CRESCENT("crescent", "crescents", "It curves like a new moon.");

    private final String noun;
    private final String plural;
    private final String detail;

    ShapeClass(String noun, String plural, String detail) {
        this.noun = noun;
        this.plural = plural;
        this.detail = detail;
    }

    /** The class name as it appears in panoptic.json, captions and GenEval prompts. */
    public String noun() {
        return noun;
    }

    public String plural() {
        return plural;
    }

    /** A sentence true of every drawing of this class (see {@link Shapes}). */
    public String detail() {
        return detail;
    }

    public int categoryId() {
        return ordinal() + 1;
    }
}
