package studio.core.data.geneval;

/** The per-task clause shapes of GenEval's prompt file (EVAL.md §1.1), checked line by line. */
final class GenevalRules {
    private GenevalRules() {}

    static void checkShape(GenevalPrompt p) {
        int n = p.include().size();
        switch (p.tag()) {
            case "single_object" -> require(n == 1 && p.include().get(0).count() == 1, "single_object needs one include with count 1");
            case "two_object" -> require(n == 2, "two_object needs two includes");
            case "counting" -> {
                require(n == 1 && p.exclude().size() == 1, "counting needs one include and one exclude");
                GenevalClause in = p.include().get(0);
                GenevalClause out = p.exclude().get(0);
                require(in.className().equals(out.className()) && out.count() == in.count() + 1,
                        "counting's exclude must be the same class with count N+1");
            }
            case "colors" -> require(n == 1 && p.include().get(0).color() != null, "colors needs one include with a color");
            case "position" -> {
                require(n == 2 && p.include().get(0).relation() == null && p.include().get(1).relation() != null,
                        "position needs a reference include and a second include with a position");
                require(p.include().get(1).relativeTo() == 0, "position must point at include 0");
            }
            case "color_attr" -> require(n == 2 && p.include().stream().allMatch(c -> c.color() != null),
                    "color_attr needs two includes with colors");
            default -> throw new GenevalPromptFile.PromptException("unknown tag " + p.tag());
        }
        if (!p.tag().equals("counting")) {
            require(p.exclude().isEmpty(), "only counting lines carry an exclude");
        }
        if (!p.tag().equals("position")) {
            require(p.include().stream().allMatch(c -> c.relation() == null), "only position lines carry a position");
        }
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new GenevalPromptFile.PromptException(problem);
        }
    }
}
