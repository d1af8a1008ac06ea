package studio.diffusion.train;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * A training run in its own JVM, for the kill-and-resume test:
 * {@code TrainChild fresh|slow|resume <dataDir> <outDir> <set>...}; "slow" sleeps 150 ms after each step so
 * the parent can SIGKILL it mid-run.
 */
public final class TrainChild {
    private TrainChild() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        TrainConfig c = TinyRuns.config(Path.of(args[1]), Path.of(args[2]), Arrays.copyOfRange(args, 3, args.length));
        TinyRuns.run(c, mode.equals("resume"), null, s -> {
            System.out.println("step " + s.step());
            System.out.flush();
            if (mode.equals("slow")) {
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        System.out.println("finished");
    }
}
