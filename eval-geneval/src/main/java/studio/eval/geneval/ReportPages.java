package studio.eval.geneval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import studio.core.io.AtomicFiles;
import studio.eval.geneval.Html.Raw;

/**
 * The self-contained HTML pages of GenEval runs (inline CSS, images as data URIs, no script, no network): one
 * run's {@code report.html} (overall, per-task table with bars, settings, failure grids with each image's prompt
 * and the official reason) and the side-by-side comparison of two runs.
 */
public final class ReportPages {
    private static final String STYLE = """
            body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;color:#1d2330}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde}
            h3{font-size:15px;margin:18px 0 6px}table{border-collapse:collapse}
            td,th{padding:4px 10px;text-align:left;border-bottom:1px solid #eef;vertical-align:top}
            th{font-weight:600;color:#4a5163}td.num{text-align:right;font-variant-numeric:tabular-nums}
            tr.total td{font-weight:700;border-top:2px solid #99a}.muted{color:#6b7285}
            .bar{width:240px;height:12px;background:#eef0f6;border-radius:2px;overflow:hidden}
            .bar span{display:block;height:100%;background:#3d6fd6}.bar.b span{background:#d6803d}
            .up{color:#17803d}.down{color:#c0392b}
            .grid{display:flex;flex-wrap:wrap;gap:10px}
            figure{margin:0;width:160px;font-size:12px}
            figure img{width:160px;height:160px;object-fit:contain;image-rendering:pixelated;background:#f4f5f8;display:block}
            figcaption q{display:block;margin:3px 0}figcaption .reason{display:block;color:#b03a2e;white-space:pre-line}
            """;

    private ReportPages() {}

    /** Writes one run's report.html (atomically); at most {@code failuresPerTask} failure images per task. */
    public static void writeRun(Path file, GenevalReport report, List<ImageResult> results, int failuresPerTask) throws IOException {
        AtomicFiles.write(file, run(report, results, failuresPerTask).getBytes(StandardCharsets.UTF_8));
    }

    static String run(GenevalReport report, List<ImageResult> results, int failuresPerTask) throws IOException {
        String label = report.settings() != null ? report.settings().label() : "GenEval run";
        List<Raw> rows = new ArrayList<>();
        for (GenevalReport.Task t : report.tasks()) {
            rows.add(Html.fill("<tr><td>{{tag}}</td><td class=\"num\">{{score}}</td><td>{{bar}}</td><td class=\"num\">{{correct}} / {{images}}</td></tr>",
                    "tag", t.tag(), "score", fixed(t.score()), "bar", bar(t.score(), ""), "correct", t.correct(), "images", t.images()));
        }
        rows.add(Html.fill("<tr class=\"total\"><td>overall</td><td class=\"num\">{{score}}</td><td>{{bar}}</td><td class=\"muted\">mean of {{n}} task scores</td></tr>",
                "score", fixed(report.overall()), "bar", bar(report.overall(), ""), "n", report.tasks().size()));
        String body = Html.fill("""
                <h1>GenEval: {{label}}</h1>
                <p>Overall <b>{{overall}}</b> (unweighted mean of the task scores, as geneval's summary_scores.py) · {{images}} images ·
                {{prompts}} prompts · {{correct_images}} of images correct · {{correct_prompts}} of prompts with a correct image</p>
                <h2>Tasks</h2>
                <table><tr><th>task</th><th>score</th><th></th><th>correct / images</th></tr>{{rows}}</table>
                <h2>Settings</h2>
                {{settings}}
                <h2>Failures</h2>
                <p class="muted">Each wrong image with its prompt and the official evaluator's reason; the first {{per_task}} per task.</p>
                {{failures}}
                """, "label", label, "overall", fixed(report.overall()), "images", report.images(), "prompts", report.prompts(),
                "correct_images", percent(report.correctImages()), "correct_prompts", percent(report.correctPrompts()),
                "rows", Html.join(rows), "settings", settingsTable(settingsRows(report)), "per_task", failuresPerTask,
                "failures", failures(report, results, failuresPerTask)).html();
        return page("GenEval: " + label, body);
    }

    /** The comparison page: per-task scores of A and B with bars and deltas, then both runs' settings. */
    public static String compare(GenevalComparison c) {
        List<Raw> rows = new ArrayList<>();
        for (GenevalComparison.Row r : c.tasks()) {
            rows.add(compareRow(r, ""));
        }
        rows.add(compareRow(c.overall(), " class=\"total\""));
        Map<String, String> a = c.a().settings() != null ? flatten(GenevalReport.JSON.valueToTree(c.a().settings())) : Map.of();
        Map<String, String> b = c.b().settings() != null ? flatten(GenevalReport.JSON.valueToTree(c.b().settings())) : Map.of();
        List<String> keys = new ArrayList<>(a.keySet());
        b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(keys::add);
        List<Raw> settings = new ArrayList<>();
        for (String k : keys) {
            boolean differs = !a.getOrDefault(k, "").equals(b.getOrDefault(k, ""));
            settings.add(Html.fill("<tr><th>{{key}}</th><td{{cls}}>{{a}}</td><td{{cls}}>{{b}}</td></tr>", "key", k,
                    "cls", new Raw(differs ? " class=\"down\"" : ""), "a", a.getOrDefault(k, "—"), "b", b.getOrDefault(k, "—")));
        }
        String body = Html.fill("""
                <h1>GenEval: {{label_a}} vs {{label_b}}</h1>
                <p>A = <b>{{label_a}}</b> ({{run_a}}, {{images_a}} images) · B = <b>{{label_b}}</b> ({{run_b}}, {{images_b}} images) ·
                delta = B − A</p>
                <h2>Tasks</h2>
                <table><tr><th>task</th><th>A</th><th>B</th><th>delta</th><th>A <span class="muted">(blue)</span> / B <span class="muted">(orange)</span></th></tr>{{rows}}</table>
                <h2>Settings</h2>
                <table><tr><th></th><th>A</th><th>B</th></tr>{{settings}}</table>
                """, "label_a", c.a().label(), "label_b", c.b().label(), "run_a", c.a().run(), "run_b", c.b().run(),
                "images_a", c.a().images(), "images_b", c.b().images(), "rows", Html.join(rows), "settings", Html.join(settings)).html();
        return page("GenEval: " + c.a().label() + " vs " + c.b().label(), body);
    }

    private static Raw compareRow(GenevalComparison.Row r, String cls) {
        String delta = r.delta() == null ? "—" : String.format(Locale.ROOT, "%+.3f", r.delta());
        String deltaClass = r.delta() == null || r.delta() == 0 ? "num" : r.delta() > 0 ? "num up" : "num down";
        return Html.fill("<tr{{cls}}><td>{{tag}}</td><td class=\"num\">{{a}}</td><td class=\"num\">{{b}}</td><td class=\"{{dc}}\">{{delta}}</td>"
                        + "<td>{{bar_a}}{{bar_b}}</td></tr>", "cls", new Raw(cls), "tag", r.tag(),
                "a", r.a() == null ? "—" : fixed(r.a()), "b", r.b() == null ? "—" : fixed(r.b()), "dc", deltaClass, "delta", delta,
                "bar_a", bar(r.a() == null ? 0 : r.a(), ""), "bar_b", bar(r.b() == null ? 0 : r.b(), " b"));
    }

    private static String page(String title, String body) {
        return Html.fill("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>{{title}}</title><style>{{style}}</style></head>
                <body>
                {{body}}</body></html>
                """, "title", title, "style", new Raw(STYLE), "body", new Raw(body)).html();
    }

    private static Raw bar(double fraction, String cls) {
        double width = Math.max(0, Math.min(1, fraction)) * 100;
        return Html.fill("<div class=\"bar{{cls}}\"><span style=\"width:{{w}}%\"></span></div>", "cls", cls,
                "w", String.format(Locale.ROOT, "%.1f", width));
    }

    /** Per task (in the summary's order), its wrong images: picture, prompt, reason. */
    private static Raw failures(GenevalReport report, List<ImageResult> results, int perTask) throws IOException {
        List<Raw> sections = new ArrayList<>();
        for (GenevalReport.Task task : report.tasks()) {
            List<ImageResult> wrong = results.stream().filter(r -> r.tag().equals(task.tag()) && !r.correct()).toList();
            if (wrong.isEmpty()) {
                sections.add(Html.fill("<h3>{{tag}}: every image correct</h3>", "tag", task.tag()));
                continue;
            }
            List<Raw> figures = new ArrayList<>();
            for (ImageResult r : wrong.subList(0, Math.min(perTask, wrong.size()))) {
                figures.add(Html.fill("<figure><img src=\"{{src}}\" alt=\"{{prompt}}\"><figcaption><q>{{prompt}}</q>"
                                + "<span class=\"reason\">{{reason}}</span><span class=\"muted\">{{file}}</span></figcaption></figure>",
                        "src", new Raw(dataUri(Path.of(r.filename()))), "prompt", r.prompt(),
                        "reason", r.tag() + ": " + r.reason(), "file", shortName(r.filename())));
            }
            sections.add(Html.fill("<h3>{{tag}}: {{wrong}} of {{total}} images wrong{{shown}}</h3><div class=\"grid\">{{figures}}</div>",
                    "tag", task.tag(), "wrong", wrong.size(), "total", task.images(),
                    "shown", wrong.size() > perTask ? " (first " + perTask + " shown)" : "", "figures", Html.join(figures)));
        }
        return Html.join(sections);
    }

    /** {@code 00012/samples/0003.png} of a longer path. */
    private static String shortName(String filename) {
        Path p = Path.of(filename);
        int n = p.getNameCount();
        return n >= 3 ? p.subpath(n - 3, n).toString().replace('\\', '/') : filename;
    }

    private static String dataUri(Path png) throws IOException {
        if (!Files.isRegularFile(png)) {
            return "data:,"; // moved since scoring: an empty image, the caption still says which
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png));
    }

    private static Map<String, String> settingsRows(GenevalReport report) {
        return report.settings() == null ? Map.of() : flatten(GenevalReport.JSON.valueToTree(report.settings()));
    }

    private static Raw settingsTable(Map<String, String> rows) {
        List<Raw> out = new ArrayList<>();
        rows.forEach((k, v) -> out.add(Html.fill("<tr><th>{{k}}</th><td>{{v}}</td></tr>", "k", k, "v", v)));
        return Html.fill("<table>{{rows}}</table>", "rows", Html.join(out));
    }

    /** Settings as "key → text": nested objects as {@code rules.threshold}, LoRAs as {@code name:scale (sha256 prefix)}. */
    static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().equals("loras") && v.isArray()) {
                List<String> loras = new ArrayList<>();
                v.forEach(l -> loras.add(l.path("file").asText() + " ×" + l.path("scale").asText() + " (sha256 "
                        + l.path("sha256").asText().substring(0, Math.min(12, l.path("sha256").asText().length())) + ")"));
                out.put("loras", loras.isEmpty() ? "none" : String.join(", ", loras));
            } else if (v.isObject()) {
                flatten(v).forEach((k, s) -> out.put(e.getKey() + "." + k, s));
            } else {
                out.put(e.getKey(), v.isTextual() ? v.textValue() : v.toString());
            }
        }
        return out;
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f %%", fraction * 100);
    }
}
