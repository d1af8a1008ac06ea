package studio.server;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process as the launcher would, capturing its streams: {exit code, stdout, stderr}. */
final class CliRun {
    private CliRun() {
    }

    static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }
}
