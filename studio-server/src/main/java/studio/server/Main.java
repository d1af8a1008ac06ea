package studio.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import studio.core.BadInputException;

/**
 * The {@code studio} command. Exit codes (ARCHITECTURE.md, CLI contract): 0 success,
 * 2 bad input (one line naming the file or field), 1 internal failure.
 */
@Command(
        name = "studio",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "PanCap Studio: long-prompt text-to-image, LoRA fine-tuning, grounded captions, evaluation.",
        // One command per line, in the order `studio --help` lists them (fewer merge conflicts).
        subcommands = {
            CommandLine.HelpCommand.class,
            InspectCommand.class,
            WorldCommand.class,
            DataCommand.class,
            DebugCommand.class,
            GenerateCommand.class,
            CaptionCommand.class,
            CheckCommand.class,
            EvalCommand.class,
            BenchCommand.class,
            TrainCommand.class,
            ModelCommand.class,
            ServeCommand.class,
        })
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_INTERNAL = 1;
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the CLI with the given streams; tests call this instead of {@link #main}. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, line, parsed) -> {
            Throwable bad = badInputCause(ex);
            if (bad != null) {
                line.getErr().println("error: " + bad.getMessage());
                return EXIT_BAD_INPUT;
            }
            line.getErr().println("internal error: " + ex);
            ex.printStackTrace(line.getErr());
            return EXIT_INTERNAL;
        });
        // picocli's own usage errors (unknown option, missing value) are bad input too.
        cli.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        });
        return cli;
    }

    private static Throwable badInputCause(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof BadInputException) {
                return t;
            }
        }
        return null;
    }

    /** Reads the version Maven filtered into version.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"PanCap Studio " + p.getProperty("version", "unknown")
                    + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
