package studio.server;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.core.data.world.WorldGenerator;

/** {@code studio world --out DIR --count N [--seed S] [--size PX]}: writes the synthetic PanCap world (WORLD.md). */
@Command(name = "world", mixinStandardHelpOptions = true,
        description = "Write the synthetic PanCap world: images, panoptic PNGs + JSON, grounded and short captions, GenEval-style prompts.")
public final class WorldCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (absent or empty).")
    Path out;

    @Option(names = "--count", required = true, paramLabel = "N", description = "Number of images.")
    int count;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "World seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--size", paramLabel = "PX", defaultValue = "64", description = "Square canvas side, 32-512 (default ${DEFAULT-VALUE}).")
    int size;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        int threads = Runtime.getRuntime().availableProcessors();
        WorldGenerator.generate(out, seed, count, size, threads);
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf(Locale.ROOT, "wrote %d images (%dx%d, seed %d) to %s in %.1f s%n", count, size, size, seed, out,
                (System.nanoTime() - start) / 1e9);
        printer.flush();
        return Main.EXIT_OK;
    }
}
