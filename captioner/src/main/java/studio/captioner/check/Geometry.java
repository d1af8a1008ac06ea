package studio.captioner.check;

import studio.core.data.panoptic.BBox;

/** Box geometry for the check: GenEval's relative position rule and canvas thirds. */
final class Geometry {
    static final double GENEVAL_MARGIN = 0.1;
    static final double NEXT_TO_GAP = 0.08;

    private Geometry() {}

    /**
     * Whether {@code a} is {@code relation} of {@code b} by GenEval's {@code relative_position}
     * (EVAL.md §1.3): offsets shrunk by 0.1 × the summed box sizes, normalised by the original offset,
     * a component beyond ±0.5 gives the relation. "next to" is the world's: boxes apart by less than
     * 8% of the canvas; "overlapping" (partly covers / partly hidden behind): the boxes touch or
     * intersect, since an occluded shape's visible mask can end right at its occluder's edge.
     */
    static boolean holds(String relation, BBox a, BBox b, int canvas) {
        return switch (relation) {
            case "next to" -> gap(a, b) >= 0 && gap(a, b) < NEXT_TO_GAP * canvas;
            case "overlapping" -> gap(a, b) <= 0;
            default -> geneval(relation, a, b);
        };
    }

    private static boolean geneval(String relation, BBox a, BBox b) {
        double ox = a.centreX() - b.centreX();
        double oy = a.centreY() - b.centreY();
        double rx = Math.max(Math.abs(ox) - GENEVAL_MARGIN * (a.width() + b.width()), 0) * Math.signum(ox);
        double ry = Math.max(Math.abs(oy) - GENEVAL_MARGIN * (a.height() + b.height()), 0) * Math.signum(oy);
        if (Math.abs(rx) < 1e-3 && Math.abs(ry) < 1e-3) {
            return false;
        }
        double norm = Math.hypot(ox, oy);
        double dx = rx / norm;
        double dy = ry / norm;
        return switch (relation) {
            case "left of" -> dx < -0.5;
            case "right of" -> dx > 0.5;
            case "above" -> dy < -0.5;
            case "below" -> dy > 0.5;
            default -> throw new IllegalArgumentException("unknown relation " + relation);
        };
    }

    /** Largest axis gap between two boxes in pixels; negative when they overlap. */
    static int gap(BBox a, BBox b) {
        int gapX = Math.max(a.x() - (b.x() + b.width()), b.x() - (a.x() + a.width()));
        int gapY = Math.max(a.y() - (b.y() + b.height()), b.y() - (a.y() + a.height()));
        return Math.max(gapX, gapY);
    }

    /** Canvas third of a coordinate (the world's left/centre/right and top/middle/bottom). */
    static int third(double centre, int canvas) {
        return centre * 3 < canvas ? 0 : centre * 3 < 2.0 * canvas ? 1 : 2;
    }
}
