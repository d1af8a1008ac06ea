package studio.core.train;

import java.util.Locale;
import studio.core.BadInputException;

/**
 * Learning rate as a pure function of the optimizer step, as diffusers' {@code get_scheduler} builds
 * it (a LambdaLR factor times the base rate; the factor for the k-th update is lambda(k), k = 0, 1, ...):
 * <ul>
 *   <li>{@code constant}: 1;</li>
 *   <li>{@code constant_with_warmup}: k / max(1, warmup) during warmup, then 1;</li>
 *   <li>{@code cosine} (get_cosine_schedule_with_warmup, num_cycles 0.5): linear warmup, then
 *       max(0, ½(1 + cos(π · 2 · 0.5 · progress))), progress = (k − warmup) / max(1, total − warmup).</li>
 * </ul>
 */
public record LrSchedule(Kind kind, double baseLr, int warmupSteps, int totalSteps) {

    public enum Kind {
        CONSTANT, CONSTANT_WITH_WARMUP, COSINE;

        public static Kind parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("lr_scheduler", "unknown '" + name
                        + "', expected constant, constant_with_warmup or cosine");
            }
        }
    }

    public LrSchedule {
        if (warmupSteps < 0 || totalSteps < 1 || !(baseLr >= 0)) {
            throw new BadInputException("lr_scheduler", "needs warmup >= 0, total >= 1, lr >= 0; got warmup "
                    + warmupSteps + ", total " + totalSteps + ", lr " + baseLr);
        }
    }

    /** The rate of update {@code step} (0-based: the first update uses lr(0)). */
    public double lr(int step) {
        return baseLr * factor(step);
    }

    /** The LambdaLR factor of diffusers' schedule. */
    public double factor(int step) {
        if (kind == Kind.CONSTANT) {
            return 1.0;
        }
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        if (kind == Kind.CONSTANT_WITH_WARMUP) {
            return 1.0;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
    }
}
