package studio.core.data.world;

import java.util.List;
import studio.core.data.panoptic.BBox;

/** Small wording helpers shared by the caption and prompt writers. */
final class Phrasing {
    private static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight"};

    private Phrasing() {}

    static String number(int n) {
        return n >= 0 && n < NUMBERS.length ? NUMBERS[n] : Integer.toString(n);
    }

    /** "a" or "an" before {@code word}. */
    static String article(String word) {
        return "aeiou".indexOf(Character.toLowerCase(word.charAt(0))) >= 0 ? "an" : "a";
    }

    static String withArticle(String words) {
        return article(words) + " " + words;
    }

    static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static String sizeWord(ThingSize size) {
        return size == ThingSize.MEDIUM ? "medium-sized" : size.word();
    }

    /** "a, b and c". */
    static String list(List<String> items) {
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    /** Thirds of the canvas (WORLD.md: left / centre / right, top / middle / bottom), from the box centre. */
    static int column(BBox box, int canvas) {
        return third(box.centreX(), canvas);
    }

    static int row(BBox box, int canvas) {
        return third(box.centreY(), canvas);
    }

    private static int third(double centre, int canvas) {
        return centre * 3 < canvas ? 0 : centre * 3 < 2.0 * canvas ? 1 : 2;
    }

    /** Where a box sits, in one of two wordings: "at the top left", "in the upper left", "in the centre", ... */
    static String position(BBox box, int canvas, boolean alternative) {
        int col = column(box, canvas);
        int row = row(box, canvas);
        String[] cols = {"left", "centre", "right"};
        if (row == 1) {
            if (col == 1) {
                return alternative ? "in the middle of the picture" : "in the centre";
            }
            return alternative ? "on the " + cols[col] + " side" : "on the " + cols[col];
        }
        if (col == 1) {
            return row == 0 ? (alternative ? "near the top" : "at the top") : (alternative ? "near the bottom" : "at the bottom");
        }
        if (alternative) {
            return "in the " + (row == 0 ? "upper " : "lower ") + cols[col];
        }
        return "at the " + (row == 0 ? "top " : "bottom ") + cols[col];
    }

    /** "about the upper half", "a band across the middle", ... for a stuff region's vertical extent. */
    static String extent(Scene.StuffRegion region) {
        if (region.top() <= 0 && region.bottom() >= 1) {
            return "the whole background";
        }
        String share = share(region.bottom() - region.top());
        if (region.top() <= 0) {
            return "about the upper " + share + " of the picture";
        }
        if (region.bottom() >= 1) {
            return "about the lower " + share + " of the picture";
        }
        return "a band across the middle of the picture";
    }

    private static String share(double fraction) {
        String[] words = {"quarter", "third", "half", "two thirds", "three quarters"};
        double[] values = {0.25, 1 / 3.0, 0.5, 2 / 3.0, 0.75};
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (Math.abs(values[i] - fraction) < Math.abs(values[best] - fraction)) {
                best = i;
            }
        }
        return words[best];
    }
}
