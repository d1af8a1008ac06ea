package studio.core.data.world;

import java.util.List;

/**
 * The six stuff classes (WORLD.md "Stuff"), category ids 11..16 in this order, each with a base colour
 * range, a mild analytic texture, and words that are true of how it is drawn.
 */
public enum StuffKind {
    SKY("sky", "sky", new int[] {115, 175, 225}, new int[] {165, 210, 250}, "against",
            List.of("clear", "cloudless", "open"), "grows slightly paler towards the horizon"),
    SEA("sea", "water", new int[] {20, 80, 140}, new int[] {55, 125, 185}, "over",
            List.of("calm", "deep blue", "gently rippled"), "is marked by soft horizontal ripples"),
    GRASS("grass", "plant", new int[] {55, 130, 45}, new int[] {95, 170, 80}, "on",
            List.of("lush", "green", "fresh"), "shows fine vertical streaks like blades"),
    SAND("sand", "ground", new int[] {205, 180, 130}, new int[] {235, 210, 165}, "on",
            List.of("smooth", "fine", "pale"), "has a faint speckled grain"),
    WALL("wall", "wall", new int[] {175, 165, 155}, new int[] {220, 210, 200}, "against",
            List.of("plain", "smooth", "bare"), "is almost uniform with only a faint shading"),
    FLOOR("floor", "floor", new int[] {115, 80, 50}, new int[] {160, 115, 80}, "on",
            List.of("wooden", "brown", "polished"), "is divided into long horizontal planks");

    private final String noun;
    private final String supercategory;
    private final int[] low;
    private final int[] high;
    private final String preposition;
    private final List<String> attributes;
    private final String texture;

    StuffKind(String noun, String supercategory, int[] low, int[] high, String preposition,
            List<String> attributes, String texture) {
        this.noun = noun;
        this.supercategory = supercategory;
        this.low = low;
        this.high = high;
        this.preposition = preposition;
        this.attributes = attributes;
        this.texture = texture;
    }

    public String noun() {
        return noun;
    }

    public String supercategory() {
        return supercategory;
    }

    /** Base colour drawn uniformly between these per channel. */
    public int[] low() {
        return low.clone();
    }

    public int[] high() {
        return high.clone();
    }

    /** How a thing relates to this region when it lies over it: "on the grass", "against the sky". */
    public String preposition() {
        return preposition;
    }

    public List<String> attributes() {
        return attributes;
    }

    /** A clause true of the texture {@link SceneRenderer} draws for this kind. */
    public String texture() {
        return texture;
    }

    public int categoryId() {
        return ShapeClass.values().length + ordinal() + 1;
    }

    /** Multiplicative texture at normalised canvas coordinates (u, v), phases from the scene. */
    public double texture(double u, double v, double p1, double p2) {
        double twoPi = 2 * Math.PI;
        return switch (this) {
            case SKY -> 1.0;
            case SEA -> 1 + 0.07 * StrictMath.sin(twoPi * (14 * v + 0.6 * StrictMath.sin(twoPi * (2 * u + p1))) + p2);
            case GRASS -> 1 + 0.08 * StrictMath.sin(twoPi * 23 * u + p1) * (0.6 + 0.4 * StrictMath.sin(twoPi * 5 * v + p2));
            case SAND -> 1 + 0.045 * StrictMath.sin(twoPi * 37 * u + p1) * StrictMath.sin(twoPi * 41 * v + p2);
            case WALL -> 1 + 0.025 * StrictMath.sin(twoPi * 1.5 * u + p1);
            case FLOOR -> 1 + 0.07 * StrictMath.sin(twoPi * 9 * v + p1) + 0.02 * StrictMath.sin(twoPi * 3 * u + p2);
        };
    }
}
