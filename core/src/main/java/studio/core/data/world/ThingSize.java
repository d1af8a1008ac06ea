package studio.core.data.world;

/** Thing sizes as a radius relative to the canvas side (WORLD.md: three sizes, relative to the canvas). */
public enum ThingSize {
    SMALL("small", 0.065, 0.09),
    MEDIUM("medium", 0.11, 0.145),
    LARGE("large", 0.175, 0.23);

    private final String word;
    private final double minRadius;
    private final double maxRadius;

    ThingSize(String word, double minRadius, double maxRadius) {
        this.word = word;
        this.minRadius = minRadius;
        this.maxRadius = maxRadius;
    }

    public String word() {
        return word;
    }

    public double minRadius() {
        return minRadius;
    }

    public double maxRadius() {
        return maxRadius;
    }
}
