package studio.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.TensorInfo;
import studio.core.train.Checkpoints;
import studio.core.train.Progress;
import studio.core.train.TrainingStoppedException;

/**
 * Exact resume (issue 6): a run in a child JVM is killed with SIGKILL mid-run, a half-written checkpoint
 * folder is planted as if the kill hit a save, and the run is resumed in another JVM; its losses, step by
 * step, and its final LoRA and EMA equal an uninterrupted run's (a third JVM) bit for bit (CPU, the
 * default 2 intra-op threads, no special environment). The run uses every random feature: mixed captions with dropout, LoRA dropout, cosine warmup, gradient
 * accumulation, EMA, several epochs with a partial last batch.
 */
class TrainResumeTest {
    private static final String[] SETS = {"steps=12", "checkpoint.every=3", "checkpoint.keep=2", "grad_accum=2",
        "data.caption=mix", "data.caption_dropout=0.2", "lora.dropout=0.1", "schedule.kind=cosine",
        "schedule.warmup_steps=2", "ema.enabled=true", "ema.decay=0.9", "seed=11"};

    @TempDir
    Path dir;

    @Test
    void killedAndResumedRunEqualsUninterruptedRun() throws Exception {
        Path data = TinyRuns.world(dir, 5);
        Path straight = dir.resolve("straight");
        assertEquals(0, child("fresh", data, straight).waitFor(), Files.readString(dir.resolve("child-fresh.log")));

        Path killed = dir.resolve("killed");
        long killedAfter = runChildAndKill(data, killed);
        Path stale = Files.createDirectories(killed.resolve("checkpoints/.tmp-step-00000099-1"));
        Files.writeString(stale.resolve("optimizer.safetensors"), "half a file");
        long resumedFrom = Checkpoints.step(new Checkpoints(killed, 2).latest().orElseThrow());
        assertTrue(resumedFrom >= 3 && resumedFrom < 12, "killed after step " + killedAfter + ", checkpoint " + resumedFrom);

        assertEquals(0, child("resume", data, killed).waitFor(), Files.readString(dir.resolve("child-resume.log")));
        assertFalse(Files.exists(stale), "the half-written checkpoint is cleaned");
        List<Double> a = TinyRuns.losses(straight);
        List<Double> b = TinyRuns.losses(killed);
        System.out.println("uninterrupted " + a + "\nkilled at step " + killedAfter + ", resumed from " + resumedFrom + ": " + b);
        assertEquals(12, a.size());
        assertEquals(a, b, "losses step by step (bitwise: the doubles are the float losses, exactly)");
        assertSameTensors(straight.resolve(Trainables.LORA_FILE), killed.resolve(Trainables.LORA_FILE));
        assertSameTensors(straight.resolve("ema_" + Trainables.LORA_FILE), killed.resolve("ema_" + Trainables.LORA_FILE));
    }

    /** Full-parameter mode: 2 steps, then --resume to 4 (in this JVM), equals 4 straight steps; EMA and moments restored. */
    @Test
    void fullParameterRunResumesExactly() throws Exception {
        Path data = TinyRuns.world(dir, 3);
        String[] sets = {"task=full", "checkpoint.every=2", "ema.enabled=true", "ema.decay=0.5", "data.caption=mix"};
        Path straight = dir.resolve("full-straight");
        TinyRuns.run(TinyRuns.config(data, straight, concat(sets, "steps=4")), false);
        Path split = dir.resolve("full-split");
        TinyRuns.run(TinyRuns.config(data, split, concat(sets, "steps=2")), false);
        TinyRuns.run(TinyRuns.config(data, split, concat(sets, "steps=4")), true);
        assertEquals(TinyRuns.losses(straight), TinyRuns.losses(split));
        assertSameTensors(straight.resolve(Trainables.FULL_FILE), split.resolve(Trainables.FULL_FILE));
        assertSameTensors(straight.resolve("ema_" + Trainables.FULL_FILE), split.resolve("ema_" + Trainables.FULL_FILE));
    }

    /**
     * A Stop (the server's) between checkpoints: the trainer writes a checkpoint of the step it stops at and throws;
     * resuming from it gives the uninterrupted run's losses and LoRA exactly, with no step lost or repeated.
     */
    @Test
    void aStopBetweenCheckpointsKeepsThatStepAndResumesExactly() throws Exception {
        Path data = TinyRuns.world(dir, 3);
        String[] sets = {"steps=5", "checkpoint.every=4", "data.caption=mix", "schedule.kind=cosine"};
        Path straight = dir.resolve("stop-straight");
        TinyRuns.run(TinyRuns.config(data, straight, sets), false);
        Path stopped = dir.resolve("stopped");
        TrainConfig c = TinyRuns.config(data, stopped, sets);
        Progress stopAt3 = new Progress() {
            long last;

            @Override
            public void onStep(Step s) {
                last = s.step();
            }

            @Override
            public boolean stopRequested() {
                return last == 3;
            }
        };
        TrainingStoppedException e = assertThrows(TrainingStoppedException.class,
                () -> TinyRuns.run(c, false, null, stopAt3));
        assertEquals(3, e.step());
        assertEquals(stopped.resolve("checkpoints/step-00000003"), e.checkpoint());
        assertEquals(3, Checkpoints.step(new Checkpoints(stopped, 2).latest().orElseThrow()));
        assertFalse(Files.exists(stopped.resolve(Trainables.LORA_FILE)), "a stopped run writes no final weights");
        assertEquals(3, TinyRuns.losses(stopped).size());

        TinyRuns.run(c, true);
        assertEquals(TinyRuns.losses(straight), TinyRuns.losses(stopped));
        assertSameTensors(straight.resolve(Trainables.LORA_FILE), stopped.resolve(Trainables.LORA_FILE));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private Process child(String mode, Path data, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), TrainChild.class.getName(),
                mode, data.toString(), out.toString()));
        cmd.addAll(List.of(SETS));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child-" + mode + ".log").toFile());
        return pb.start();
    }

    /** Starts a slow TrainChild, SIGKILLs it once a checkpoint at step >= 6 exists; returns the last step it printed. */
    private long runChildAndKill(Path data, Path out) throws Exception {
        Process p = child("slow", data, out);
        Path log = dir.resolve("child-slow.log");
        Checkpoints cps = new Checkpoints(out, 2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (cps.latest().map(Checkpoints::step).orElse(0L) < 6) {
            assertTrue(p.isAlive(), "child exited early (" + (p.isAlive() ? "" : p.exitValue()) + "):\n" + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "child too slow:\n" + Files.readString(log));
            Thread.sleep(20);
        }
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        String text = Files.readString(log);
        assertFalse(text.contains("finished"), "the child must be killed mid-run");
        long last = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("step ")) {
                last = Long.parseLong(line.substring(5).trim());
            }
        }
        return last;
    }

    static void assertSameTensors(Path x, Path y) throws Exception {
        try (SafeTensors a = SafeTensors.open(x); SafeTensors b = SafeTensors.open(y)) {
            assertEquals(a.tensors().size(), b.tensors().size());
            for (TensorInfo t : a.tensors()) {
                assertArrayEquals(a.readFloats(t.name()), b.readFloats(t.name()), 0f, t.name());
            }
        }
    }
}
