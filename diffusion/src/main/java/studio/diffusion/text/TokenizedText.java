package studio.diffusion.text;

/**
 * A prompt's tokens without special tokens, each with the index in the prompt of the first char it
 * came from, so any suffix of tokens maps back to the exact text it covers.
 *
 * @param ids token ids in order
 * @param starts for each token, the char index in {@code prompt} where it starts (non-decreasing)
 */
public record TokenizedText(String prompt, int[] ids, int[] starts) {

    public int size() {
        return ids.length;
    }

    /** The prompt text covered by tokens from index {@code keep} on ("" when keep ≥ size()). */
    public String textFrom(int keep) {
        return keep >= ids.length ? "" : prompt.substring(starts[keep]);
    }
}
