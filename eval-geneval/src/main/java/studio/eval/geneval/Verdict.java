package studio.eval.geneval;

/** The official {@code evaluate()} result: correct, and the reasons joined by newlines ("" when correct). */
public record Verdict(boolean correct, String reason) {}
