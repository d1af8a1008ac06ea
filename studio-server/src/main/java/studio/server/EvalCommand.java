package studio.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code studio eval ...}: metrics over folders; each metric is a subcommand. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate predictions against ground truth.",
        subcommands = {EvalPqCommand.class, EvalCaptionCommand.class})
public final class EvalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
