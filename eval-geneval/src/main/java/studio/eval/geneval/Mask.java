package studio.eval.geneval;

import java.util.BitSet;

/** A binary instance mask, {@code width × height}, row-major; true inside the object. */
public final class Mask {
    private final int width;
    private final int height;
    private final BitSet inside;

    public Mask(int width, int height, BitSet inside) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.inside = (BitSet) inside.clone();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean inside(int x, int y) {
        return inside.get(y * width + x);
    }

    public int area() {
        return inside.cardinality();
    }
}
