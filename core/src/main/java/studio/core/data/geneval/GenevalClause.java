package studio.core.data.geneval;

/**
 * One include/exclude clause of a GenEval prompt line (EVAL.md §1.1): {@code class}, {@code count},
 * optional {@code color}, optional {@code position} = [relation, index of the reference include].
 */
public record GenevalClause(String className, int count, String color, String relation, Integer relativeTo) {
    public static GenevalClause of(String className, int count) {
        return new GenevalClause(className, count, null, null, null);
    }

    public GenevalClause withColor(String c) {
        return new GenevalClause(className, count, c, relation, relativeTo);
    }

    public GenevalClause at(String rel, int index) {
        return new GenevalClause(className, count, color, rel, index);
    }
}
