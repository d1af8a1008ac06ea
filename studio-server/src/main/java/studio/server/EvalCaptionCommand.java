package studio.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.captioner.metrics.CaptionMetrics;
import studio.captioner.metrics.DatasetEvaluation;

/** {@code studio eval caption --gt DIR --pred DIR}: BLEU-1..4, ROUGE-L, CIDEr-D as coco-caption computes them. */
@Command(name = "caption", mixinStandardHelpOptions = true,
        description = "BLEU-1..4, ROUGE-L and CIDEr-D of predicted long captions (tags removed) against the ground truth's.")
public final class EvalCaptionCommand implements Callable<Integer> {
    @Option(names = "--gt", required = true, paramLabel = "DIR", description = "Ground truth: DIR/captions/<id>.txt (or DIR/<id>.txt).")
    Path gt;

    @Option(names = "--pred", required = true, paramLabel = "DIR", description = "Predicted captions in the same layout.")
    Path pred;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CaptionMetrics.Scores scores = DatasetEvaluation.captions(gt, pred);
        spec.commandLine().getOut().println(CliJson.PRETTY.writeValueAsString(scores.asMap()));
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
