package studio.diffusion.text;

/**
 * The text of one request, per encoder as diffusers' {@code prompt}, {@code prompt_2}, {@code prompt_3}
 * (SD3.md §4.7): prompt2 (CLIP-G) and prompt3 (T5) default to prompt when null. A negative prompt is
 * a Prompts too; the empty negative is {@code Prompts.of("")}, encoded like any prompt (diffusers).
 */
public record Prompts(String prompt, String prompt2, String prompt3) {

    public Prompts {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must not be null (use \"\" for the empty prompt)");
        }
    }

    public static Prompts of(String prompt) {
        return new Prompts(prompt, null, null);
    }

    /** The text CLIP-L encodes. */
    public String clipL() {
        return prompt;
    }

    /** The text CLIP-G encodes. */
    public String clipG() {
        return prompt2 == null ? prompt : prompt2;
    }

    /** The text T5 encodes. */
    public String t5() {
        return prompt3 == null ? prompt : prompt3;
    }
}
