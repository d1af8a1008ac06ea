package studio.core.train;

import java.io.PrintWriter;
import java.util.Locale;

/** A one-line CLI progress bar with loss, rate and ETA, redrawn with {@code \r}; a newline at the end. */
public final class ConsoleProgress implements Progress {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final boolean interactive;

    /** @param interactive redraw in place; otherwise print a line every 10% (logs, CI) */
    public ConsoleProgress(PrintWriter out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void onStep(Step s) {
        boolean last = s.step() >= s.total();
        long tenth = Math.max(1, s.total() / 10);
        if (!interactive && !last && s.step() % tenth != 0) {
            return;
        }
        out.print((interactive ? "\r" : "") + line(s));
        if (last || !interactive) {
            out.println();
        }
        out.flush();
    }

    /** {@code [#####.....] 50/100 loss 0.1234 lr 1.0e-04 2.31 img/s ETA 0:01:05}. */
    public static String line(Step s) {
        int filled = (int) Math.min(WIDTH, s.total() == 0 ? WIDTH : WIDTH * s.step() / s.total());
        return String.format(Locale.ROOT, "[%s%s] %d/%d loss %.4f lr %.2e %.2f img/s ETA %s",
                "#".repeat(filled), ".".repeat(WIDTH - filled), s.step(), s.total(), s.loss(), s.lr(), s.imagesPerS(),
                hms(s.etaSeconds()));
    }

    static String hms(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long t = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    }
}
