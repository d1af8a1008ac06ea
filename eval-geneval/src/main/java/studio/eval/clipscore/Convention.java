package studio.eval.clipscore;

/**
 * The two CLIPScore conventions in use (EVAL.md §2.5); reports always say which one a number is.
 */
public enum Convention {
    /**
     * torchmetrics {@code CLIPScore} ({@code functional/multimodal/clip_score.py}): per image {@code 100·cos};
     * the corpus score is {@code max(mean, 0)} (clamped after averaging). No text prefix.
     */
    TORCHMETRICS("torchmetrics: 100*cos, max(mean, 0)", ""),
    /**
     * Hessel et al. 2021 (jmhessel/clipscore {@code clipscore.py::get_clip_score}): per image
     * {@code 2.5·max(cos, 0)}; the corpus score is the mean. Text prefixed with "A photo depicts ".
     */
    HESSEL("Hessel et al. 2021: 2.5*max(cos, 0), mean", "A photo depicts ");

    private final String label;
    private final String textPrefix;

    Convention(String label, String textPrefix) {
        this.label = label;
        this.textPrefix = textPrefix;
    }

    public String label() {
        return label;
    }

    /** Prepended to every caption (or caption piece) before tokenising. */
    public String textPrefix() {
        return textPrefix;
    }

    /** One image's score from its cosine. */
    public double perImage(double cosine) {
        return this == HESSEL ? 2.5 * Math.max(cosine, 0) : 100 * cosine;
    }

    /** The corpus score from every image's cosine. */
    public double corpus(double[] cosines) {
        if (cosines.length == 0) {
            throw new IllegalArgumentException("no images");
        }
        double sum = 0;
        for (double c : cosines) {
            sum += perImage(c);
        }
        double mean = sum / cosines.length;
        return this == TORCHMETRICS ? Math.max(mean, 0) : mean;
    }
}
