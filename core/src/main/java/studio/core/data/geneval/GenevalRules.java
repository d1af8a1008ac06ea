package studio.core.data.geneval;

import java.util.List;

/**
 * The per-task clause shapes of a dataset's GenEval prompt file (EVAL.md §1.1), as the official
 * {@code create_prompts.py} makes them. The evaluator itself scores any combination of clauses, so only
 * {@link GenevalPromptFile.Checks#dataset} checks these.
 */
final class GenevalRules {
    private GenevalRules() {}

    /** What is wrong with the prompt's shape for its task, or null. */
    static String shapeProblem(GenevalPrompt p) {
        List<GenevalClause> include = p.include();
        int n = include.size();
        String problem = switch (p.task()) {
            case SINGLE_OBJECT -> n == 1 && include.get(0).count() == 1 ? null : "single_object needs one include with count 1";
            case TWO_OBJECT -> n == 2 ? null : "two_object needs two includes";
            case COUNTING -> counting(p);
            case COLORS -> n == 1 && include.get(0).color() != null ? null : "colors needs one include with a color";
            case POSITION -> n == 2 && include.get(0).position() == null && include.get(1).position() != null
                    ? (include.get(1).position().targetGroup() == 0 ? null : "position must point at include 0")
                    : "position needs a reference include and a second include with a position";
            case COLOR_ATTR -> n == 2 && include.stream().allMatch(c -> c.color() != null) ? null : "color_attr needs two includes with colors";
        };
        if (problem != null) {
            return problem;
        }
        if (p.task() != GenevalTask.COUNTING && !p.exclude().isEmpty()) {
            return "only counting lines carry an exclude";
        }
        if (p.task() != GenevalTask.POSITION && include.stream().anyMatch(c -> c.position() != null)) {
            return "only position lines carry a position";
        }
        return null;
    }

    private static String counting(GenevalPrompt p) {
        if (p.include().size() != 1 || p.exclude().size() != 1) {
            return "counting needs one include and one exclude";
        }
        GenevalClause in = p.include().get(0);
        GenevalClause out = p.exclude().get(0);
        return in.className().equals(out.className()) && out.count() == in.count() + 1
                ? null : "counting's exclude must be the same class with count N+1";
    }
}
