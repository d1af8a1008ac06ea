package studio.core.data.world;

import java.util.Optional;
import studio.core.data.panoptic.BBox;

/**
 * Spatial relations between two segments, decided on their mask boxes with GenEval's own rule
 * ({@code relative_position}, EVAL.md §1.3), so a caption's "left of" is what the GenEval check would
 * call "left of". {@code next to} is the world's addition for close pairs with no such relation.
 */
final class Relations {
    static final double GENEVAL_MARGIN = 0.1;
    /** Boxes closer than this fraction of the canvas (and not touching) are "next to" each other. */
    static final double NEXT_TO_GAP = 0.08;

    private Relations() {}

    /**
     * The relation of {@code a} to {@code b} ("left of", "right of", "above", "below"); when two hold
     * (a diagonal offset), the stronger. Empty when GenEval's rule finds none.
     */
    static Optional<String> geneval(BBox a, BBox b) {
        double ox = a.centreX() - b.centreX();
        double oy = a.centreY() - b.centreY();
        double rx = Math.max(Math.abs(ox) - GENEVAL_MARGIN * (a.width() + b.width()), 0) * Math.signum(ox);
        double ry = Math.max(Math.abs(oy) - GENEVAL_MARGIN * (a.height() + b.height()), 0) * Math.signum(oy);
        if (Math.abs(rx) < 1e-3 && Math.abs(ry) < 1e-3) {
            return Optional.empty();
        }
        double norm = Math.sqrt(ox * ox + oy * oy);
        double dx = rx / norm;
        double dy = ry / norm;
        if (Math.abs(dx) >= Math.abs(dy)) {
            return dx < -0.5 ? Optional.of("left of") : dx > 0.5 ? Optional.of("right of") : Optional.empty();
        }
        return dy < -0.5 ? Optional.of("above") : dy > 0.5 ? Optional.of("below") : Optional.empty();
    }

    /** Boxes that do not overlap but whose gap is under {@link #NEXT_TO_GAP} of the canvas side. */
    static boolean nextTo(BBox a, BBox b, int canvas) {
        int gapX = Math.max(a.x() - (b.x() + b.width()), b.x() - (a.x() + a.width()));
        int gapY = Math.max(a.y() - (b.y() + b.height()), b.y() - (a.y() + a.height()));
        int gap = Math.max(gapX, gapY);
        return gap >= 0 && gap < NEXT_TO_GAP * canvas;
    }

    static String inverse(String relation) {
        return switch (relation) {
            case "left of" -> "right of";
            case "right of" -> "left of";
            case "above" -> "below";
            case "below" -> "above";
            default -> relation;
        };
    }
}
