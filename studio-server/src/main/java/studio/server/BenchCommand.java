package studio.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.core.BadInputException;
import studio.core.device.Devices;
import studio.core.ops.KernelBench;

/**
 * {@code studio bench ...}: speed figures as JSON (ARCHITECTURE.md, "Performance: how it is measured").
 * Compare with the PyTorch eager scripts under {@code tools/reference/} run on the same machine.
 */
@Command(name = "bench", description = "Measure speed; prints JSON.",
        subcommands = {BenchCommand.Kernels.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void printJson(CommandSpec spec, Map<String, Object> report) throws Exception {
        spec.commandLine().getOut().println(
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        spec.commandLine().getOut().flush();
    }

    /** Each fused kernel against its plain composite twin (median ms, grad mode off). */
    @Command(name = "kernels", description = "Fused TorchScript kernels vs their plain DJL composites.")
    static final class Kernels implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--runs", defaultValue = "30", description = "timed runs per op (default ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--warmup", defaultValue = "20", description = "untimed runs first (default ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--no-large", description = "skip the SD3-sized attention (1x24x1178x64)")
        boolean noLarge;

        @Override
        public Integer call() throws Exception {
            if (runs < 1 || warmup < 0) {
                throw new BadInputException("--runs/--warmup", "need runs >= 1 and warmup >= 0");
            }
            printJson(spec, KernelBench.run(Devices.parse(device, "--device"), runs, warmup, !noLarge));
            return Main.EXIT_OK;
        }
    }
}
