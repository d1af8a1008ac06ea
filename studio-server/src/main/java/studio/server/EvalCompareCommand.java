package studio.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.core.io.AtomicFiles;
import studio.eval.geneval.GenevalComparison;
import studio.eval.geneval.GenevalReport;
import studio.eval.geneval.ReportPages;

/** {@code studio eval compare RUN_A RUN_B}: two GenEval runs side by side, JSON on stdout, optionally an HTML page. */
@Command(name = "compare", description = "Compare two GenEval runs (folders holding summary.json, or the files): "
        + "per-task scores and deltas (B - A) as JSON on stdout; --out writes a self-contained HTML page.")
final class EvalCompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_A", description = "the baseline run (folder or summary.json)")
    Path a;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "the run compared with it")
    Path b;

    @Option(names = "--out", paramLabel = "FILE.html", description = "also write the comparison page here")
    Path out;

    @Override
    public Integer call() throws Exception {
        GenevalComparison c = GenevalComparison.of(a.toString(), GenevalReport.read(a), b.toString(), GenevalReport.read(b));
        if (out != null) {
            AtomicFiles.write(out, ReportPages.compare(c).getBytes(StandardCharsets.UTF_8));
        }
        CliJson.print(spec, c);
        return Main.EXIT_OK;
    }
}
