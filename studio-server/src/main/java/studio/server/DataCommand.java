package studio.server;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import studio.core.BadInputException;
import studio.core.data.Violation;
import studio.core.data.pancap.DatasetStats;
import studio.core.data.pancap.DatasetValidator;

/** {@code studio data stats|validate DIR} for PanCap-format datasets (WORLD.md "Commands"). */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Inspect PanCap-format datasets.",
        subcommands = {DataCommand.Stats.class, DataCommand.Validate.class})
public final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "expected a subcommand: stats or validate");
    }

    private static void requireDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir.toString(), "no such directory");
        }
    }

    /** Table 1 columns of the COCONut-PanCap paper. */
    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Images, average words per caption, average masks per image, things/stuff per image.")
    static final class Stats implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "Dataset folder (panoptic.json, panoptic/, images/, captions/).")
        Path dir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            requireDirectory(dir);
            PrintWriter out = spec.commandLine().getOut();
            out.print(DatasetStats.of(dir).format());
            out.flush();
            return Main.EXIT_OK;
        }
    }

    /** Every WORLD.md invariant; all violations listed, exit 2 if there are any. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check every dataset invariant; list each violation with file and line (exit 2 if any).")
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "Dataset folder.")
        Path dir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            requireDirectory(dir);
            List<Violation> violations = DatasetValidator.validate(dir);
            PrintWriter out = spec.commandLine().getOut();
            violations.forEach(v -> out.println(v));
            if (violations.isEmpty()) {
                out.println("ok: no violations in " + dir);
                out.flush();
                return Main.EXIT_OK;
            }
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.println("error: " + dir + ": " + violations.size() + " violation" + (violations.size() == 1 ? "" : "s"));
            err.flush();
            return Main.EXIT_BAD_INPUT;
        }
    }
}
