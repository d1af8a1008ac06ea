package studio.eval.geneval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scores {@code evaluation/summary_scores.py} prints (EVAL.md §1.3, "Aggregation"): per tag, in order of
 * first appearance ({@code groupby('tag', sort=False)}), the mean of {@code correct} over its images; the
 * overall score is the unweighted mean of those task scores, not the mean over images. Prompts are grouped
 * by the {@code metadata} string; a prompt is correct when any of its images is.
 */
public record Summary(int totalImages, int totalPrompts, double correctImages, double correctPrompts,
                      List<TaskScore> tasks, double overall) {

    /** One row of the task breakdown. */
    public record TaskScore(String tag, int correct, int total) {
        public double score() {
            return (double) correct / total;
        }
    }

    public static Summary of(List<ImageResult> results) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no results to summarise");
        }
        Map<String, int[]> byTag = new LinkedHashMap<>();
        Map<String, Boolean> byPrompt = new LinkedHashMap<>();
        int correctImages = 0;
        for (ImageResult r : results) {
            int[] counts = byTag.computeIfAbsent(r.tag(), t -> new int[2]);
            counts[0] += r.correct() ? 1 : 0;
            counts[1]++;
            byPrompt.merge(r.metadata(), r.correct(), Boolean::logicalOr);
            correctImages += r.correct() ? 1 : 0;
        }
        List<TaskScore> tasks = new ArrayList<>();
        byTag.forEach((tag, counts) -> tasks.add(new TaskScore(tag, counts[0], counts[1])));
        double overall = tasks.stream().mapToDouble(TaskScore::score).average().orElseThrow();
        long correctPrompts = byPrompt.values().stream().filter(Boolean::booleanValue).count();
        return new Summary(results.size(), byPrompt.size(), (double) correctImages / results.size(),
                (double) correctPrompts / byPrompt.size(), List.copyOf(tasks), overall);
    }

    /** The text summary_scores.py prints, line for line. */
    public String officialText() {
        StringBuilder out = new StringBuilder();
        out.append("Summary\n=======\n");
        out.append("Total images: ").append(totalImages).append('\n');
        out.append("Total prompts: ").append(totalPrompts).append('\n');
        out.append("% correct images: ").append(percent(correctImages)).append('\n');
        out.append("% correct prompts: ").append(percent(correctPrompts)).append("\n\n");
        out.append("Task breakdown\n==============\n");
        for (TaskScore task : tasks) {
            out.append(String.format(Locale.ROOT, "%-16s = %s (%d / %d)\n", task.tag(), percent(task.score()),
                    task.correct(), task.total()));
        }
        out.append('\n');
        out.append(String.format(Locale.ROOT, "Overall score (avg. over tasks): %.5f\n", overall));
        return out.toString();
    }

    /** Python's {@code f"{x:.2%}"}. */
    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
    }
}
