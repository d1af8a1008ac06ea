package studio.server;

import java.util.Map;
import picocli.CommandLine.Option;
import studio.core.BadInputException;
import studio.eval.fid.EpsPolicy;
import studio.eval.fid.FrechetResult;

/** The covariance-regularisation options of {@code eval fd} and {@code eval fid} (a picocli mixin) and their report. */
final class FrechetOptions {
    @Option(names = "--eps-policy", defaultValue = "pytorch-fid", paramLabel = "P",
            description = "when to add eps*I to both covariances: pytorch-fid (as pytorch-fid retries), never, always "
                    + "(default ${DEFAULT-VALUE})")
    String epsPolicy;

    @Option(names = "--eps", defaultValue = "1e-6", description = "the eps of the retry (default ${DEFAULT-VALUE}, pytorch-fid's)")
    double eps;

    /** The options as given outside picocli (the server's evaluate job, through {@link EvalRuns#fid}). */
    static FrechetOptions of(String epsPolicy, double eps) {
        FrechetOptions o = new FrechetOptions();
        o.epsPolicy = epsPolicy;
        o.eps = eps;
        return o;
    }

    /** The parsed policy; bad input names the option. */
    EpsPolicy policy() {
        if (!(eps > 0)) {
            throw new BadInputException("--eps", "must be > 0, got " + eps);
        }
        return switch (epsPolicy) {
            case "pytorch-fid" -> EpsPolicy.PYTORCH_FID;
            case "never" -> EpsPolicy.NEVER;
            case "always" -> EpsPolicy.ALWAYS;
            default -> throw new BadInputException("--eps-policy", "expected pytorch-fid, never or always, got " + epsPolicy);
        };
    }

    /** The report's regularisation and term columns, in the order both commands print them. */
    void report(Map<String, Object> report, FrechetResult r) {
        report.put("eps_retry", r.epsRetry());
        report.put("eps", r.eps());
        report.put("eps_policy", epsPolicy);
        report.put("mean_term", r.meanTerm());
        report.put("trace_real", r.traceReal());
        report.put("trace_fake", r.traceFake());
        report.put("trace_sqrt", r.traceSqrt());
        report.put("rank_deficient", r.rankDeficient());
    }
}
