package studio.core.train;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import studio.core.BadInputException;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;

/**
 * The checkpoint folders of a run, {@code <run>/checkpoints/step-00000123/}. A checkpoint is written
 * into a hidden temporary folder next to them ({@code .tmp-step-...}), each file synced, then renamed
 * into place in one atomic step: a crash mid-write leaves only a temp folder, which is ignored and
 * deleted by the next {@link #cleanTemps}, and the previous checkpoint stays whole. After a save only
 * the newest {@code keep} checkpoints remain (keep-last-K, as diffusers' checkpoints_total_limit).
 */
public final class Checkpoints {
    /** Written last into every checkpoint: its presence marks a complete checkpoint (belt and braces with the rename). */
    public static final String STATE_FILE = "state.json";
    /** AdamW's moments and step count in every checkpoint. */
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    private static final Pattern NAME = Pattern.compile("step-(\\d{8})");

    /** Writes the files of one checkpoint into a folder. */
    public interface Writer {
        void write(Path folder) throws IOException;
    }

    private final Path dir;
    private final int keep;

    public Checkpoints(Path runDir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1, got " + keep);
        }
        this.dir = runDir.resolve("checkpoints");
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    public static String name(long step) {
        return String.format(java.util.Locale.ROOT, "step-%08d", step);
    }

    /** Writes checkpoint {@code step} atomically (temp folder, fsync, rename), then prunes to the newest {@code keep}. */
    public Path save(long step, Writer writer) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(name(step));
        Path temp = Files.createTempDirectory(dir, ".tmp-" + name(step) + "-");
        try {
            writer.write(temp);
            if (!Files.exists(temp.resolve(STATE_FILE))) {
                throw new IllegalStateException("a checkpoint writer must write " + STATE_FILE + " (last)");
            }
            try (Stream<Path> files = Files.list(temp)) {
                for (Path f : files.toList()) {
                    sync(f);
                }
            }
            if (Files.exists(target)) {
                deleteTree(target); // the same step again (a resumed run re-reaching it): replace
            }
            move(temp, target);
        } catch (IOException | RuntimeException e) {
            deleteTree(temp);
            throw e;
        }
        prune();
        return target;
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
                    .sorted(Comparator.comparingLong(Checkpoints::step)).toList();
        }
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** A fresh run must not overwrite another: refuses a run folder that already holds checkpoints. */
    public void requireNone() throws IOException {
        if (latest().isPresent()) {
            Path runDir = dir.getParent();
            throw new BadInputException(runDir.toString(), "already holds checkpoints; use --resume " + runDir
                    + " or another output_dir");
        }
    }

    /**
     * How every trainer starts in its run folder: half-written temp folders of a crash removed (and said), then with
     * {@code resume} the newest complete checkpoint's state (bad input when there is none), else null (bad input when
     * the folder already holds checkpoints, which a fresh run would mix with its own).
     */
    public TrainState begin(boolean resume, java.util.function.Consumer<String> log) throws IOException {
        int cleaned = cleanTemps();
        if (cleaned > 0) {
            log.accept("removed " + cleaned + " half-written checkpoint folder(s) left by a crash");
        }
        if (!resume) {
            requireNone();
            return null;
        }
        Path latest = requireLatest();
        TrainState s = TrainState.read(latest);
        log.accept("resuming from " + latest + " (step " + s.step() + ")");
        return s;
    }

    /** The newest complete checkpoint, for a resume; bad input when there is none. */
    public Path requireLatest() throws IOException {
        return latest().orElseThrow(() -> new BadInputException(dir.getParent().toString(),
                "no complete checkpoint to resume from"));
    }

    /**
     * Copies a checkpoint's trained tensors ({@code weightsFile}, keyed as {@code params}) into {@code params} and its
     * optimizer state into {@code opt}: what every trainer restores before its first resumed step.
     */
    public static void restore(Path checkpoint, String weightsFile, Map<String, NDArray> params, AdamW opt)
            throws IOException {
        try (SafeTensors st = SafeTensors.open(checkpoint.resolve(weightsFile))) {
            params.forEach((k, v) -> AdamW.copyInto(st, k, v));
        }
        try (SafeTensors st = SafeTensors.open(checkpoint.resolve(OPTIMIZER_FILE))) {
            opt.load(st);
        }
    }

    /** Writes {@code opt}'s moments as {@code optimizer.safetensors} of a checkpoint folder (read by {@link #restore}). */
    public static void saveOptimizer(Path folder, AdamW opt) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter();
        opt.save(w);
        w.write(folder.resolve(OPTIMIZER_FILE));
    }

    /** The step of a checkpoint folder. */
    public static long step(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(checkpoint + " is not a checkpoint folder (step-NNNNNNNN)");
        }
        return Long.parseLong(m.group(1));
    }

    /** Deletes half-written temp folders left by a crash; returns how many. */
    public int cleanTemps() throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> temps;
        try (Stream<Path> s = Files.list(dir)) {
            temps = s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
        }
        for (Path t : temps) {
            deleteTree(t);
        }
        return temps.size();
    }

    private void prune() throws IOException {
        List<Path> all = new ArrayList<>(list());
        while (all.size() > keep) {
            deleteTree(all.remove(0));
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void sync(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                c.force(true);
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
