package studio.eval.geneval;

/** A detector box in pixels, {@code [x1, y1, x2, y2]}, x to the right and y downward (mmdetection's order). */
public record Box(double x1, double y1, double x2, double y2) {
    public Box {
        if (!(Double.isFinite(x1) && Double.isFinite(y1) && Double.isFinite(x2) && Double.isFinite(y2))) {
            throw new IllegalArgumentException("box coordinates must be finite");
        }
        if (x2 < x1 || y2 < y1) {
            throw new IllegalArgumentException("box needs x1 <= x2 and y1 <= y2, got [" + x1 + ", " + y1 + ", " + x2 + ", " + y2 + "]");
        }
    }

    public double centerX() {
        return (x1 + x2) / 2;
    }

    public double centerY() {
        return (y1 + y2) / 2;
    }

    public double width() {
        return x2 - x1;
    }

    public double height() {
        return y2 - y1;
    }
}
