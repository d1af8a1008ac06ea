package studio.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.device.Precision;
import studio.server.app.EvaluateRoutesTest;
import studio.server.app.Studio;
import studio.server.app.TestStudio;
import studio.server.work.PipelineGenerator;

/**
 * The web UI in real headless Chromium (Debian's, driven by Playwright for Java; ARCHITECTURE.md decision 8) against
 * a started studio with the real pipeline on the tiny fixture model. Screenshots go to target/e2e/. Skipped, with
 * the reason, where /usr/bin/chromium is absent; .ci/run installs it so CI runs these.
 */
class BrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SHOTS = Path.of("target/e2e");
    static final List<String> ARGS = List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run");

    @TempDir
    static Path dir;
    static Playwright playwright;
    static Browser browser;
    static Studio studio;
    static String origin;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "browser tests skipped: no /usr/bin/chromium (apt-get install chromium; .ci/run does)");
        Assumptions.assumeTrue(BrowserTest.class.getResource("/public/index.html") != null,
                "browser tests skipped: the web bundle is not on the classpath (build the web module)");
        Files.createDirectories(SHOTS);
        TestStudio.pancapTiny(dir.resolve("models"));
        PipelineGenerator real = new PipelineGenerator(ai.djl.Device.cpu(), Precision.F32,
                PipelineGenerator.textEncoders(Precision.F32), Map.of("studio", "e2e"));
        studio = TestStudio.open(dir, real).start(0);
        origin = "http://127.0.0.1:" + studio.app().port();
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM)
                .setHeadless(true).setArgs(ARGS));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        if (studio != null) {
            studio.close();
        }
    }

    static Page laptopPage() {
        Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1366, 860));
        page.setDefaultTimeout(30_000);
        return page;
    }

    /**
     * Issue 9's proof: generate with the real embedded {@code pancap-tiny} (its native 64 px; 16 steps and CFG 4, as
     * its training's validation images; T5 128, the length its MMDiT was trained with) and see the image in the
     * gallery with its parameters.
     */
    @Test
    void generateWithPancapTinyAndSeeItInTheGalleryThenCheckIt() {
        Page page = laptopPage();
        page.setDefaultTimeout(90_000);
        page.navigate(origin + "/#/generate");
        page.getByLabel("Model").selectOption("pancap-tiny");
        assertEquals("native (64)", page.getByLabel("Width").getAttribute("placeholder"), "the model's sample size");
        page.getByLabel("Prompt", new Page.GetByLabelOptions().setExact(true)).fill("two red circles left of a blue square on grass");
        page.getByLabel("Steps").fill("16");
        page.getByLabel("Guidance").fill("4");
        page.getByLabel("T5 length").selectOption("128");
        page.getByLabel("Seed").fill("11");
        page.locator("#token-counts li[data-encoder=t5]:has-text('/ 127 tokens')").waitFor(); // 128 with its EOS
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Generate").setExact(true)).click();
        Locator card = page.locator("#gallery figure.card img[src]");
        card.first().waitFor();
        page.locator("#progress .state.done").waitFor();
        page.locator("#progress figure.preview img[src]").waitFor(); // the x̂₀ preview of the last step
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("generate-pancap-tiny.png")).setFullPage(true));
        String shown = page.locator("#gallery figure.card").first().textContent();
        assertTrue(shown.contains("Seed11") && shown.contains("64×64") && shown.contains("Steps16")
                && shown.contains("Guidance4") && shown.contains("T5 length128") && shown.contains("pancap-tiny"),
                "its parameters shown: " + shown);
        assertEquals(64, (int) (Integer) page.locator("#gallery figure.card img").first()
                .evaluate("img => img.naturalWidth"), "a 64 px image");

        page.locator("#gallery figure.card").first().getByText("Check").click();
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Run check")).click();
        // the oracle captioner knows only its dataset's images: for a generated one the job's outcome is its error
        page.waitForFunction("() => { const r = document.querySelector('#check .check-result');"
                + " return r && r.textContent && r.textContent !== 'checking…'; }");
        String outcome = page.locator("#check .check-result").textContent();
        assertTrue(page.locator("#check table.entities").count() == 1 || outcome.contains("image"), outcome);
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("check-overlay.png")).setFullPage(true));
        page.close();
    }

    @Test
    void launchTwoEvaluationsAndCompareThem() throws Exception {
        EvaluateRoutesTest.fixtures(studio.deps().roots().datasets());
        Page page = laptopPage();
        page.navigate(origin + "/#/evaluate");
        for (String[] run : new String[][] {{"baseline", "d1.jsonl"}, {"with stars", "d2.jsonl"}}) {
            page.getByLabel("Benchmark").selectOption("geneval");
            page.getByLabel("Prompt file").selectOption("prompts.jsonl");
            page.getByLabel("Images per prompt").fill("2");
            page.getByLabel("Steps").fill("1");
            page.getByLabel("Prompt limit").fill("2");
            page.getByLabel("Detector").fill("detections:" + run[1]);
            page.getByLabel("Name").fill(run[0]);
            page.getByLabel("Name").press("Enter"); // keyboard submit
            page.locator("#evaluation h2", new Page.LocatorOptions().setHasText(run[0])).waitFor();
            page.locator("#evaluation .state.done").waitFor(new Locator.WaitForOptions().setTimeout(120_000));
            page.locator("#task-table").waitFor();
        }
        page.locator("#evaluation .chart .uplot").waitFor();
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("evaluate-result.png")).setFullPage(true));
        page.getByLabel("Run A (baseline)").selectOption(new com.microsoft.playwright.options.SelectOption().setLabel(
                page.locator("#compare-a option", new Page.LocatorOptions().setHasText("baseline")).textContent()));
        page.getByLabel("Run B").selectOption(new com.microsoft.playwright.options.SelectOption().setLabel(
                page.locator("#compare-b option", new Page.LocatorOptions().setHasText("with stars")).textContent()));
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Compare")).click();
        Locator overall = page.locator("#compare-table tr.overall");
        overall.waitFor();
        assertEquals("+0.500", overall.locator("td.delta").textContent());
        assertEquals(1, page.locator("#compare-table td.delta.up").count() - 1, "two_object rose, single_object stayed");
        assertEquals("+1.000", page.locator("#compare-table tr", new Page.LocatorOptions().setHasText("two_object"))
                .locator("td.delta").textContent());
        page.locator("#evaluation .chart .uplot").waitFor();
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("evaluate-compare.png")).setFullPage(true));
        page.close();
    }

    @Test
    void longPromptsShowTheDroppedTextPerEncoder() {
        Page page = laptopPage();
        page.navigate(origin + "/#/generate");
        page.getByLabel("T5 length").selectOption("154");
        page.getByLabel("Prompt", new Page.GetByLabelOptions().setExact(true))
                .fill("a small red circle left of a large blue square on green grass under a bright blue sky ".repeat(25));
        page.locator("#token-counts mark").waitFor();
        assertEquals(1, page.locator("#token-counts li[data-encoder=t5].cut").count());
        // A short T5 prompt of its own (prompt_3): T5 now keeps everything, the CLIPs still read the long prompt.
        page.locator("#per-encoder summary").click();
        page.getByLabel("Prompt for T5 (prompt_3)").fill("a red circle");
        page.locator("#token-counts li[data-encoder=t5].fits").waitFor();
        assertEquals(0, page.locator("#token-counts p.prompt-view[data-encoders~=t5]").count());
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("token-counts.png")).setFullPage(true));
        page.close();
    }

    /**
     * The Train page: check the dataset, pick lora-tiny, edit the overrides (a 4-step run at 32 px, validation every 2),
     * launch from the keyboard, watch it to the end: the loss and learning-rate charts hold a point per step and the
     * validation grids of steps 0, 2 and 4 appear.
     */
    @Test
    void fineTuneFromTheTrainPageAndWatchItToTheEnd() {
        Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1280, 900));
        page.setDefaultTimeout(60_000);
        page.navigate(origin + "/#/train");
        page.getByLabel("Dataset").selectOption("world");
        page.getByText("Check dataset").click();
        page.locator("#dataset-check table.stats").waitFor();
        assertTrue(page.locator("#dataset-check").textContent().contains("no violations"), page.locator("#dataset-check").textContent());
        page.getByLabel("Preset").selectOption("lora-tiny");
        assertEquals("100", page.getByLabel("Steps").inputValue(), "the preset's value");
        page.getByLabel("Steps").fill("4");
        page.getByLabel("Validation every").fill("2");
        page.getByLabel("Caption").selectOption("mix");
        page.getByLabel("More overrides").fill(String.join("\n", "batch_size=2", "data.resolution=32",
                "encoders.text_tokens=8", "checkpoint.every=2", "validation.size=32", "validation.steps=2",
                "validation.seeds=[0]", "validation.prompts=[\"a red circle left of a blue square\"]"));
        page.getByLabel("Run name").fill("e2e tiny");
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Launch").setExact(true)).focus();
        page.keyboard().press("Enter");
        page.locator("#run h2:has-text('e2e tiny')").waitFor();
        try {
            page.locator("#run-state.state.done").waitFor(new Locator.WaitForOptions().setTimeout(180_000));
        } catch (com.microsoft.playwright.PlaywrightException e) {
            page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("train-failed.png")).setFullPage(true));
            throw new AssertionError("the run did not end done; the page shows: " + page.locator("#run").textContent(), e);
        }
        page.locator("#loss-chart[data-points='4']").waitFor();
        page.locator("#learning-rate-chart[data-points='4']").waitFor();
        assertEquals(1, page.locator("#loss-chart canvas").count(), "uPlot draws on a canvas");
        page.locator("#validation figure[data-step='4'] img[src]").waitFor();
        assertEquals(3, page.locator("#validation figure img[src]").count(), "steps 0, 2 and 4");
        assertTrue(page.locator("#run-stats").textContent().contains("4 / 4"), page.locator("#run-stats").textContent());
        page.locator("#runs tr.done:has-text('e2e tiny')").waitFor();
        assertTrue(page.locator("#run").getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Locator.GetByRoleOptions().setName("Resume")).isDisabled(), "a finished run does not resume");
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("train.png")).setFullPage(true));
        page.close();
    }

    @Test
    void jobsAndDatasetPagesWorkFromTheKeyboard() {
        Page page = laptopPage();
        page.navigate(origin + "/#/data");
        page.getByLabel("Dataset").selectOption("world");
        page.getByText("Statistics").focus();
        page.keyboard().press("Enter");
        page.locator("#data-result table.stats").waitFor();
        assertTrue(page.locator("#data-result").textContent().contains("Images4"), page.locator("#data-result").textContent());
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("data-stats.png")).setFullPage(true));
        page.getByText("Jobs", new Page.GetByTextOptions().setExact(true)).click();
        page.locator("table.jobs tbody tr.done").first().waitFor();
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("jobs.png")).setFullPage(true));
        page.close();
    }
}
