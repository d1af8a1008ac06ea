package studio.diffusion.text;

import java.util.Arrays;

/**
 * A text derived from a prompt, with, for every char, the index in the original prompt of the char
 * it came from; so that tokens of a cleaned text can be mapped back to spans of what the user typed.
 */
final class AlignedText {
    private final StringBuilder text = new StringBuilder();
    private int[] origin = new int[16];

    /** The prompt itself: char i comes from char i. */
    static AlignedText of(String prompt) {
        AlignedText a = new AlignedText();
        for (int i = 0; i < prompt.length(); i++) {
            a.append(prompt.charAt(i), i);
        }
        return a;
    }

    void append(char c, int from) {
        if (text.length() == origin.length) {
            origin = Arrays.copyOf(origin, origin.length * 2);
        }
        origin[text.length()] = from;
        text.append(c);
    }

    /** Appends every char of {@code s} as coming from {@code from}. */
    void append(CharSequence s, int from) {
        for (int i = 0; i < s.length(); i++) {
            append(s.charAt(i), from);
        }
    }

    /** Appends chars [start, end) of {@code src} with their own origins. */
    void appendFrom(AlignedText src, int start, int end) {
        for (int i = start; i < end; i++) {
            append(src.text.charAt(i), src.origin[i]);
        }
    }

    String text() {
        return text.toString();
    }

    int length() {
        return text.length();
    }

    char charAt(int i) {
        return text.charAt(i);
    }

    /** Original index of char i; {@code length()} maps to {@code end} (one past the prompt). */
    int origin(int i, int end) {
        return i < text.length() ? origin[i] : end;
    }
}
