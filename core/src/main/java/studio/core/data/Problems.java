package studio.core.data;

import java.util.ArrayList;
import java.util.List;
import studio.core.BadInputException;

/**
 * Where readers send a problem: a strict sink throws it at once as {@link BadInputException}
 * (training, conversions), a collecting sink records it and the reader skips the bad entry and goes
 * on ({@code studio data validate}, issue 3 "Bad input").
 */
public final class Problems {
    private final boolean strict;
    private final List<Violation> found = new ArrayList<>();

    private Problems(boolean strict) {
        this.strict = strict;
    }

    public static Problems strict() {
        return new Problems(true);
    }

    public static Problems collecting() {
        return new Problems(false);
    }

    public void report(Violation v) {
        if (strict) {
            throw new BadInputException(v.where(), v.message());
        }
        found.add(v);
    }

    public void report(String file, int line, String message) {
        report(new Violation(file, line, message));
    }

    public List<Violation> found() {
        return List.copyOf(found);
    }

    public boolean isEmpty() {
        return found.isEmpty();
    }
}
