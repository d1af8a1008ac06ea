package studio.core.data.world;

/**
 * Signed distance (in pixels; negative inside) from a point to each shape class, centred at the
 * origin with outer radius {@code r}, image y pointing down. Drawing with distances gives
 * analytic anti-aliasing at any canvas size (coverage = clamp(0.5 − d, 0, 1)), and the panoptic
 * mask takes a pixel exactly when its centre is inside (d < 0), i.e. coverage above one half.
 * Every shape fits inside the circle of radius r, so a box of r + 1 pixels around the centre holds it.
 */
final class Shapes {
    private static final double[][] TRIANGLE = regular(3, 1.0, -Math.PI / 2);
    private static final double[][] HEXAGON = regular(6, 1.0, 0);
    private static final double[][] DIAMOND = {{0, -1}, {0.68, 0}, {0, 1}, {-0.68, 0}};
    private static final double[][] STAR = star(5, 1.0, 0.45);
    private static final double[][] HEART_BODY = {{-0.92, -0.2}, {0.92, -0.2}, {0, 0.95}};

    private Shapes() {}

    static double distance(ShapeClass shape, double x, double y, double r) {
        return switch (shape) {
            case CIRCLE -> Math.sqrt(x * x + y * y) - r;
            case SQUARE -> box(x, y, 0.82 * r, 0.82 * r);
            case TRIANGLE -> polygon(TRIANGLE, x / r, y / r) * r;
            case STAR -> polygon(STAR, x / r, y / r) * r;
            case HEART -> heart(x / r, y / r) * r;
            case DIAMOND -> polygon(DIAMOND, x / r, y / r) * r;
            case RING -> Math.abs(Math.sqrt(x * x + y * y) - 0.72 * r) - 0.28 * r;
            case CROSS -> Math.min(box(x, y, 0.95 * r, 0.3 * r), box(x, y, 0.3 * r, 0.95 * r));
            case HEXAGON -> polygon(HEXAGON, x / r, y / r) * r;
            case CRESCENT -> Math.max(Math.sqrt(x * x + y * y) - r,
                    0.8 * r - Math.sqrt((x - 0.5 * r) * (x - 0.5 * r) + (y + 0.15 * r) * (y + 0.15 * r)));
        };
    }

    private static double heart(double x, double y) {
        double left = Math.sqrt((x + 0.46) * (x + 0.46) + (y + 0.32) * (y + 0.32)) - 0.5;
        double right = Math.sqrt((x - 0.46) * (x - 0.46) + (y + 0.32) * (y + 0.32)) - 0.5;
        return Math.min(Math.min(left, right), polygon(HEART_BODY, x, y));
    }

    private static double box(double x, double y, double halfWidth, double halfHeight) {
        double dx = Math.abs(x) - halfWidth;
        double dy = Math.abs(y) - halfHeight;
        double outside = Math.sqrt(Math.max(dx, 0) * Math.max(dx, 0) + Math.max(dy, 0) * Math.max(dy, 0));
        return outside + Math.min(Math.max(dx, dy), 0);
    }

    /** Exact signed distance to a simple polygon (Inigo Quilez's sdPolygon). */
    private static double polygon(double[][] v, double px, double py) {
        double d = (px - v[0][0]) * (px - v[0][0]) + (py - v[0][1]) * (py - v[0][1]);
        double s = 1;
        for (int i = 0, j = v.length - 1; i < v.length; j = i, i++) {
            double ex = v[j][0] - v[i][0];
            double ey = v[j][1] - v[i][1];
            double wx = px - v[i][0];
            double wy = py - v[i][1];
            double t = Math.max(0, Math.min(1, (wx * ex + wy * ey) / (ex * ex + ey * ey)));
            double bx = wx - ex * t;
            double by = wy - ey * t;
            d = Math.min(d, bx * bx + by * by);
            boolean c1 = py >= v[i][1];
            boolean c2 = py < v[j][1];
            boolean c3 = ex * wy > ey * wx;
            if ((c1 && c2 && c3) || (!c1 && !c2 && !c3)) {
                s = -s;
            }
        }
        return s * Math.sqrt(d);
    }

    private static double[][] regular(int corners, double radius, double startAngle) {
        double[][] v = new double[corners][];
        for (int i = 0; i < corners; i++) {
            double a = startAngle + 2 * Math.PI * i / corners;
            v[i] = new double[] {radius * StrictMath.cos(a), radius * StrictMath.sin(a)};
        }
        return v;
    }

    private static double[][] star(int points, double outer, double inner) {
        double[][] v = new double[2 * points][];
        for (int i = 0; i < 2 * points; i++) {
            double a = -Math.PI / 2 + Math.PI * i / points;
            double radius = i % 2 == 0 ? outer : inner;
            v[i] = new double[] {radius * StrictMath.cos(a), radius * StrictMath.sin(a)};
        }
        return v;
    }
}
