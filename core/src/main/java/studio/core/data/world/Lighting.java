package studio.core.data.world;

/** Global lighting, applied to the whole picture as a colour transform (WORLD.md "Global state"). */
public enum Lighting {
    BRIGHT("bright"),
    DIM("dim"),
    WARM("warm");

    private final String word;

    Lighting(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** Transforms one channel value (0..255, c = 0 red, 1 green, 2 blue) and clamps it. */
    public double apply(int channel, double value) {
        double v = switch (this) {
            case BRIGHT -> value * 1.08 + 12;
            case DIM -> value * 0.62;
            case WARM -> channel == 0 ? value * 1.08 + 8 : channel == 1 ? value + 2 : value * 0.8;
        };
        return Math.max(0, Math.min(255, v));
    }
}
