package studio.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.captioner.metrics.DatasetEvaluation;

/** {@code studio eval pq --gt DIR --pred DIR}: panoptic quality with panopticapi semantics, printed as JSON. */
@Command(name = "pq", mixinStandardHelpOptions = true,
        description = "PQ, SQ, RQ (all, thing, stuff; per class) of predicted panoptic masks, as panopticapi computes them.")
public final class EvalPqCommand implements Callable<Integer> {

    @Option(names = "--gt", required = true, paramLabel = "DIR", description = "Ground truth: panoptic.json + panoptic/ PNGs.")
    Path gt;

    @Option(names = "--pred", required = true, paramLabel = "DIR", description = "Prediction in the same layout (ids matched by image_id).")
    Path pred;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DatasetEvaluation.PqReport report = DatasetEvaluation.pq(gt, pred);
        spec.commandLine().getOut().println(CliJson.PRETTY.writeValueAsString(report.asMap()));
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
