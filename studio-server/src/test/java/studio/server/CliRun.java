package studio.server;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process as the launcher would, capturing its streams. */
final class CliRun {
    private CliRun() {
    }

    /** What one CLI run printed, and its exit code. */
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }
}
