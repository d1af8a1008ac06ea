package studio.core.data.world;

/** GenEval's ten colours (EVAL.md §1.1), each with the RGB anchor things are drawn with (plus jitter). */
public enum WorldColour {
    RED("red", 215, 35, 35),
    ORANGE("orange", 240, 135, 25),
    YELLOW("yellow", 245, 215, 40),
    GREEN("green", 45, 160, 60),
    BLUE("blue", 40, 80, 215),
    PURPLE("purple", 135, 50, 175),
    PINK("pink", 240, 135, 185),
    BROWN("brown", 125, 75, 35),
    BLACK("black", 22, 22, 22),
    WHITE("white", 245, 245, 245);

    private final String word;
    private final int r;
    private final int g;
    private final int b;

    WorldColour(String word, int r, int g, int b) {
        this.word = word;
        this.r = r;
        this.g = g;
        this.b = b;
    }

    public String word() {
        return word;
    }

    public int[] anchor() {
        return new int[] {r, g, b};
    }
}
