package studio.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.captioner.pancap.PancaperTrainConfig;
import studio.captioner.pancap.PancaperTrainer;
import studio.core.BadInputException;
import studio.core.config.Configs;
import studio.core.train.ConsoleProgress;
import studio.core.train.NonFiniteLossException;
import studio.diffusion.text.TokenizerTrainer;
import studio.diffusion.train.ClipTrainConfig;
import studio.diffusion.train.ClipTrainer;
import studio.diffusion.train.DiffusionTrainer;
import studio.diffusion.train.T5TrainConfig;
import studio.diffusion.train.T5Trainer;
import studio.diffusion.train.TrainConfig;
import studio.diffusion.train.TrainTask;
import studio.diffusion.train.VaeTrainConfig;
import studio.diffusion.train.VaeTrainer;

/**
 * {@code studio train --config FILE.json [--set k=v]... [--resume RUN_DIR]}: the config's {@code task} picks the
 * trainer ({@link #TASKS}): "lora" and "full" train the MMDiT ({@link TrainTask}), "pancaper" the tiny PanCaper on the
 * world ({@link PancaperTrainer}), "tokenizers" builds pancap-tiny's tokenizers ({@link TokenizerTrainer}), "vae"
 * trains its VAE ({@link VaeTrainer}), "clip" its CLIP image and text towers ({@link ClipTrainer}), "t5" its T5-class
 * text encoder against the frozen CLIP image tower ({@link T5Trainer}). The resolved config is printed
 * once and stored in the run folder and every checkpoint. With {@code --resume} the config stored in the run's
 * newest checkpoint is used (plus any --set), and the run continues exactly where that checkpoint left it.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train from a JSON config (task: lora, full, pancaper, tokenizers, vae, clip, t5); --resume RUN_DIR continues a run exactly.")
final class TrainCommand implements Callable<Integer> {

    /**
     * One trainer: resolves its config and runs it, printing to the CLI.
     *
     * @param user the --config file (null when only --resume is given)
     * @param stored the config stored in the resumed run's newest checkpoint (null when not resuming)
     */
    interface Task {
        int run(ObjectNode user, ObjectNode stored, List<String> sets, Path resume, CommandSpec spec) throws Exception;
    }

    /** task name → trainer. */
    static final Map<String, Task> TASKS = Map.of(
            "lora", TrainCommand::diffusion,
            "full", TrainCommand::diffusion,
            PancaperTrainConfig.TASK, TrainCommand::pancaper,
            "tokenizers", TrainCommand::tokenizers,
            "vae", TrainCommand::vae,
            "clip", TrainCommand::clip,
            T5TrainConfig.TASK, TrainCommand::t5);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", description = "the run's JSON config (keys of the task's preset; see configs/train/)")
    Path config;

    @Option(names = "--set", description = "override a key: --set optimizer.lr=1e-4 (repeatable)")
    List<String> sets = new ArrayList<>();

    @Option(names = "--resume", description = "a run folder to continue from its newest checkpoint")
    Path resume;

    @Override
    public Integer call() throws Exception {
        if (config == null && resume == null) {
            throw new BadInputException("--config", "give a config file, or --resume RUN_DIR");
        }
        ObjectNode user = config == null ? null : Configs.file(config);
        ObjectNode stored = resume == null ? null
                : (ObjectNode) new ObjectMapper().readTree(DiffusionTrainer.storedConfig(resume));
        String task = taskOf(stored != null ? stored : user, sets);
        Task t = TASKS.get(task);
        if (t == null) {
            throw new BadInputException("task", "unknown task '" + task + "'; this build trains " + TASKS.keySet());
        }
        return t.run(user, stored, sets, resume, spec);
    }

    /** The task: the last --set task=..., else the file's "task", else the diffusion preset's ("lora"). */
    static String taskOf(ObjectNode user, List<String> sets) {
        String task = user != null && user.hasNonNull("task") ? user.get("task").asText() : "lora";
        for (String s : sets) {
            if (s.startsWith("task=")) {
                task = s.substring(5).trim();
            }
        }
        return task;
    }

    private static int diffusion(ObjectNode user, ObjectNode stored, List<String> sets, Path resume, CommandSpec spec)
            throws Exception {
        TrainConfig c = resolve(TrainConfig.preset(), TrainConfig.class, TrainConfig::check, user, stored, sets, resume, spec);
        return runAndSummarise(spec, (progress, log) -> TrainTask.run(c, resume != null, progress, log), TrainCommand::summary);
    }

    /**
     * The config of a step-based task: the one stored in the run's newest checkpoint when resuming ({@code output_dir}
     * then follows {@code --resume}), else the file's; checked, then printed once.
     */
    private static <C> C resolve(ObjectNode preset, Class<C> type, Consumer<C> check, ObjectNode user, ObjectNode stored,
            List<String> sets, Path resume, CommandSpec spec) {
        C c = Configs.resolve(preset, stored != null ? stored : user, withResumeDir(sets, resume), type,
                stored != null ? "stored config" : "config");
        check.accept(c);
        PrintWriter out = spec.commandLine().getOut();
        out.println("resolved config:\n" + Configs.toJson(c));
        out.flush();
        return c;
    }

    /** A trainer run with the CLI's progress bar and log lines on stderr. */
    private interface Run<R> {
        R run(ConsoleProgress progress, Consumer<String> log) throws Exception;
    }

    /** Runs a trainer and prints its summary as JSON; a non-finite loss is an internal failure (exit 1), not bad input. */
    private static <R> int runAndSummarise(CommandSpec spec, Run<R> run, Function<R, Map<String, Object>> summary)
            throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try {
            R r = run.run(new ConsoleProgress(err, System.console() != null), line -> {
                err.println(line);
                err.flush();
            });
            CliJson.print(spec, summary.apply(r));
            return Main.EXIT_OK;
        } catch (NonFiniteLossException e) {
            err.println("error: " + e.getMessage());
            return Main.EXIT_INTERNAL;
        }
    }

    /** A resumed run writes into its own folder: {@code output_dir} follows {@code --resume}. */
    private static List<String> withResumeDir(List<String> sets, Path resume) {
        if (resume == null) {
            return sets;
        }
        List<String> all = new ArrayList<>(sets);
        all.add("output_dir=" + resume);
        return all;
    }

    /** The tiny PanCaper; a resumed run takes the --config given, else the config stored in its checkpoint. */
    private static int pancaper(ObjectNode user, ObjectNode stored, List<String> sets, Path resume, CommandSpec spec)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PancaperTrainConfig c = PancaperTrainConfig.resolve(user != null ? user : stored, sets,
                user != null ? "config" : "stored config");
        String json = Configs.toJson(c);
        out.println(json);
        PancaperTrainer.Result r = PancaperTrainer.run(c, json, resume, new ConsoleProgress(out, System.console() != null), out);
        out.printf(Locale.ROOT, "trained %d steps in %.0f s, %,d parameters; final loss %.4f; held-out %s%nmodel: %s%n",
                r.steps(), r.seconds(), r.parameters(), r.loss(), r.heldout(), r.modelDir());
        out.flush();
        return Main.EXIT_OK;
    }

    /** pancap-tiny's own CLIP BPE and T5 Unigram tokenizers from a generated world's corpus (no steps, no resume). */
    private static int tokenizers(ObjectNode user, ObjectNode stored, List<String> sets, Path resume, CommandSpec spec)
            throws Exception {
        if (resume != null) {
            throw new BadInputException("--resume", "the tokenizers task has no checkpoints; run it again");
        }
        TokenizerTrainer.Config c = resolve(TokenizerTrainer.Config.preset(), TokenizerTrainer.Config.class,
                TokenizerTrainer.Config::check, user, null, sets, null, spec);
        TokenizerTrainer.Result r = TokenizerTrainer.run(c);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("dir", r.dir().toString());
        s.put("corpus_texts", r.corpusTexts());
        s.put("clip_vocab", r.clipVocab());
        s.put("clip_merges", r.clipMerges());
        s.put("t5_pieces", r.t5Pieces());
        CliJson.print(spec, s);
        return Main.EXIT_OK;
    }

    /** pancap-tiny's VAE from scratch on world images ({@link VaeTrainer}); resumable like the diffusion tasks. */
    private static int vae(ObjectNode user, ObjectNode stored, List<String> sets, Path resume, CommandSpec spec)
            throws Exception {
        VaeTrainConfig c = resolve(VaeTrainConfig.preset(), VaeTrainConfig.class, VaeTrainConfig::check,
                user, stored, sets, resume, spec);
        return runAndSummarise(spec, (progress, log) -> VaeTrainer.run(c, resume != null, progress, log), r -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("run_dir", r.runDir().toString());
            s.put("steps", r.steps());
            s.put("last_loss", r.lastLoss());
            s.put("vae", r.vaeFolder().toString());
            s.put("scaling_factor", r.scalingFactor());
            s.put("shift_factor", r.shiftFactor());
            return s;
        });
    }

    /** pancap-tiny's CLIP: the image tower and both text towers, contrastively ({@link ClipTrainer}); resumable. */
    private static int clip(ObjectNode user, ObjectNode stored, List<String> sets, Path resume, CommandSpec spec)
            throws Exception {
        ClipTrainConfig c = resolve(ClipTrainConfig.preset(), ClipTrainConfig.class, ClipTrainConfig::check,
                user, stored, sets, resume, spec);
        return runAndSummarise(spec, (progress, log) -> ClipTrainer.run(c, resume != null, progress, log), r -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("run_dir", r.runDir().toString());
            s.put("steps", r.steps());
            s.put("last_loss", r.lastLoss());
            s.put("folders", r.folders().stream().map(Path::toString).toList());
            return s;
        });
    }

    /** pancap-tiny's T5-class encoder against the frozen CLIP image tower ({@link T5Trainer}); resumable. */
    private static int t5(ObjectNode user, ObjectNode stored, List<String> sets, Path resume, CommandSpec spec)
            throws Exception {
        T5TrainConfig c = resolve(T5TrainConfig.preset(), T5TrainConfig.class, T5TrainConfig::check,
                user, stored, sets, resume, spec);
        return runAndSummarise(spec, (progress, log) -> T5Trainer.run(c, resume != null, progress, log), r -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("run_dir", r.runDir().toString());
            s.put("steps", r.steps());
            s.put("last_loss", r.lastLoss());
            s.put("text_encoder_3", r.folder().toString());
            s.put("long_captions_truncated", r.longTruncated());
            s.put("short_captions_truncated", r.shortTruncated());
            return s;
        });
    }

    private static Map<String, Object> summary(DiffusionTrainer.Result r) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("run_dir", r.runDir().toString());
        s.put("steps", r.steps());
        s.put("last_loss", r.lastLoss());
        s.put("weights", r.weights().toString());
        s.put("skipped_samples", r.skipped());
        s.put("cache_hits", r.cacheHits());
        s.put("cache_misses", r.cacheMisses());
        s.put("validation_video", r.video() == null ? null : r.video().toString());
        return s;
    }
}
