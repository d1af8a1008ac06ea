package studio.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.captioner.pancap.PancaperTrainConfig;
import studio.captioner.pancap.PancaperTrainer;
import studio.core.BadInputException;
import studio.core.config.Configs;
import studio.core.train.ConsoleProgress;

/**
 * {@code studio train --config FILE.json [--set k=v]... [--resume DIR]}: the config's {@code "task"} picks the
 * trainer. Known tasks: {@code pancaper} (the tiny PanCaper on the world). The resolved config is printed
 * once and stored in the run folder.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train from a config file: task pancaper (tiny PanCaper on the world).")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE.json", description = "Training config (its \"task\" picks the trainer).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (dotted for nested keys); repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue from a run folder's newest checkpoint or a checkpoint folder.")
    Path resume;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ObjectNode user = Configs.file(config);
        String task = user.path("task").asText("");
        for (String s : sets) {
            if (s.startsWith("task=")) {
                task = s.substring("task=".length());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (task.equals(PancaperTrainConfig.TASK)) {
            return pancaper(user, out);
        }
        throw new BadInputException(config + ": task", "unknown task '" + task + "'; this build knows: " + PancaperTrainConfig.TASK);
    }

    private int pancaper(ObjectNode user, PrintWriter out) throws Exception {
        PancaperTrainConfig c = PancaperTrainConfig.resolve(user, sets, config.toString());
        String json = Configs.toJson(c);
        out.println(json);
        PancaperTrainer.Result r = PancaperTrainer.run(c, json, resume, new ConsoleProgress(out, System.console() != null), out);
        out.printf(Locale.ROOT, "trained %d steps in %.0f s, %,d parameters; final loss %.4f; held-out %s%nmodel: %s%n",
                r.steps(), r.seconds(), r.parameters(), r.loss(), r.heldout(), r.modelDir());
        out.flush();
        return Main.EXIT_OK;
    }
}
