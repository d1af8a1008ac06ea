package studio.eval.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.data.DataPng;
import studio.core.image.RgbImage;

/** summary.json round trip, the run page (escaped, self-contained, every task), the comparison's deltas. */
class ReportPagesTest {
    @TempDir
    Path dir;

    static GenevalReport report(String model, double single, double counting, List<GenevalReport.Lora> loras) {
        GenevalReport.Settings s = new GenevalReport.Settings("generated", model, "/m/" + model, loras, "p.jsonl", "ab",
                2, 1, 8, 4.0, 64, 64, 42L, GenevalRunner.SEED_RULE, "euler", 77, "f32", "cpu", "world", "clip", RuleOptions.OFFICIAL);
        return new GenevalReport(GenevalReport.SCHEMA, (single + counting) / 2,
                List.of(new GenevalReport.Task("single_object", single, (int) (single * 4), 4),
                        new GenevalReport.Task("counting", counting, (int) (counting * 4), 4)),
                8, 2, 0.5, 0.5, s, new GenevalReport.Timing(8, 0, 1.5, 0.5));
    }

    @Test
    void summaryJsonRoundTripsWithSnakeCaseKeys() throws Exception {
        GenevalReport r = report("base", 0.75, 0.25, List.of(new GenevalReport.Lora("long", "/l/long.safetensors", 1.0, "0123456789abcdef")));
        r.write(dir.resolve("summary.json"));
        String json = Files.readString(dir.resolve("summary.json"));
        assertTrue(json.contains("\"correct_images\"") && json.contains("\"images_per_prompt\"")
                && json.contains("\"counting_threshold\"") && json.contains("\"generate_seconds\""), json);
        assertEquals(r, GenevalReport.read(dir));
        Files.writeString(dir.resolve("other.json"), "{\"schema\": \"something/else\", \"tasks\": []}");
        assertThrows(BadInputException.class, () -> GenevalReport.read(dir.resolve("other.json")));
        assertThrows(BadInputException.class, () -> GenevalReport.read(dir.resolve("missing")));
    }

    @Test
    void runPageIsSelfContainedEscapedAndHasEveryTaskAndFailure() throws Exception {
        Path png = dir.resolve("00000/samples/0000.png");
        Files.createDirectories(png.getParent());
        DataPng.write(png, RgbImage.filled(4, 4, 200, 10, 10));
        String prompt = "a photo of <script>alert(1)</script> & \"two\" dogs";
        List<ImageResult> results = List.of(
                new ImageResult(png.toString(), "single_object", "a photo of a dog", true, "", "{}", "{}"),
                new ImageResult(png.toString(), "counting", prompt, false, "expected dog>=2, found 1", "{}", "{}"));
        String html = ReportPages.run(report("base", 1.0, 0.0, List.of()), results, 24);
        assertTrue(html.startsWith("<!doctype html>"));
        assertFalse(html.contains("<script>"), "prompt text is escaped");
        assertTrue(html.contains("a photo of &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;two&quot; dogs"));
        assertTrue(html.contains("counting: expected dog&gt;=2, found 1"));
        assertTrue(html.contains("single_object") && html.contains("counting") && html.contains("overall"));
        assertTrue(html.contains("single_object: every image correct"));
        assertTrue(html.contains("src=\"data:image/png;base64,iVBOR"), "images are inlined");
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<link"), "no network");
        assertTrue(html.contains("width:100.0%") && html.contains("width:0.0%"), "bars follow the scores");
    }

    @Test
    void comparisonGivesPerTaskDeltasAndTheSettingsThatDiffer() {
        GenevalReport a = report("pancap-tiny", 0.75, 0.25, List.of());
        GenevalReport b = new GenevalReport(GenevalReport.SCHEMA, 0.6,
                List.of(new GenevalReport.Task("counting", 0.5, 2, 4), new GenevalReport.Task("position", 0.7, 3, 4)), 8, 2, 0.5,
                0.5, report("pancap-tiny", 0, 0, List.of(new GenevalReport.Lora("long", "/l/long.safetensors", 1.0, "ff"))).settings(),
                null);
        GenevalComparison c = GenevalComparison.of("runs/a", a, "runs/b", b);
        assertEquals(List.of("single_object", "counting", "position"), c.tasks().stream().map(GenevalComparison.Row::tag).toList());
        assertNull(c.tasks().get(0).b());
        assertNull(c.tasks().get(0).delta());
        assertEquals(0.25, c.tasks().get(1).delta(), 1e-12);
        assertNull(c.tasks().get(2).a());
        assertEquals(0.6 - 0.5, c.overall().delta(), 1e-12);
        assertEquals(List.of("loras"), c.settingsDiffer());
        assertEquals("pancap-tiny + long:1.0", c.b().label());
        assertTrue(c.json().contains("\"settings_differ\""), c.json());
        String html = ReportPages.compare(c);
        assertTrue(html.contains("+0.250") && html.contains("+0.100"), "signed deltas");
        assertTrue(html.contains("pancap-tiny vs pancap-tiny + long:1.0"));
        assertTrue(html.contains("position") && html.contains("—"));
    }

    @Test
    void templatesEscapeTextAndInsertOnlyBuiltMarkup() {
        assertEquals("<b>&lt;i&gt;x&#39;s</b>", Html.fill("<b>{{v}}</b>", "v", "<i>x's").html());
        assertEquals("<b><i>x</i></b>", Html.fill("<b>{{v}}</b>", "v", Html.fill("<i>{{w}}</i>", "w", "x")).html());
        assertThrows(IllegalArgumentException.class, () -> Html.fill("{{a}}"));
        assertThrows(IllegalArgumentException.class, () -> Html.fill("x", "a", 1));
    }
}
