package studio.captioner.check;

import java.util.List;

/**
 * One entity a prompt asks for: a class, thing or stuff, an optional colour (things only), how many
 * (null when the prompt does not say), and the canvas positions it was given (column and row thirds,
 * each null when unsaid; only checked for single things). {@code text} is its first mention.
 */
public record PromptEntity(int index, String className, boolean isThing, String colour, Integer count, List<Position> positions, String text) {
    public PromptEntity {
        positions = List.copyOf(positions);
    }

    /** Column 0/1/2 = left/centre/right, row 0/1/2 = top/middle/bottom; either may be null. */
    public record Position(Integer column, Integer row, String words) {
        public boolean agrees(int col, int r) {
            return (column == null || column == col) && (row == null || row == r);
        }
    }

    /** How many segments the matching may give this entity. */
    public int instances() {
        return count == null ? 1 : Math.min(count, 16);
    }
}
