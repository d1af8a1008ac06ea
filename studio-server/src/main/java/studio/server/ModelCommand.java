package studio.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.diffusion.pipeline.ModelAssembler;

/** {@code studio model ...}: model folders (today: assembling pancap-tiny's parts into one). */
@Command(name = "model", description = "Model folders: assemble trained parts into a diffusers SD3 folder.",
        subcommands = {ModelCommand.Assemble.class})
final class ModelCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@link ModelAssembler}: copy, verify by loading every part strictly and generating once, then publish. */
    @Command(name = "assemble", mixinStandardHelpOptions = true,
            description = {"Write a diffusers-layout SD3 folder from trained parts, verified before it appears at --out.",
                "Without --transformer: the text 'stage' folder that training's encoders.text=sd3:DIR reads."})
    static final class Assemble implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, description = "the new folder (must not exist or be empty)")
        Path out;

        @Option(names = "--tokenizers", description = "folder holding tokenizer/, tokenizer_2/, tokenizer_3/")
        Path tokenizers;

        @Option(names = "--clip", description = "folder holding text_encoder/, text_encoder_2/ (image_encoder/ copied when present)")
        Path clip;

        @Option(names = "--t5", description = "folder holding text_encoder_3/ (or that folder itself)")
        Path t5;

        @Option(names = "--vae", description = "folder holding vae/ (or that folder itself); required with --transformer")
        Path vae;

        @Option(names = "--transformer", description = "a diffusers transformer/ folder, a 'full' studio train run folder, or a weights file next to either's config.json")
        Path transformer;

        @Option(names = "--ema", description = "from a run folder, take the EMA weights")
        boolean ema;

        @Option(names = "--shift", defaultValue = "3.0", description = "the scheduler's shift (default ${DEFAULT-VALUE}, SD3's)")
        double shift;

        @Override
        public Integer call() throws Exception {
            ModelAssembler.Result r = ModelAssembler.assemble(out, new ModelAssembler.Sources(tokenizers, clip, t5, vae,
                    transformer, ema, shift));
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("out", r.out().toString());
            s.put("kind", r.pipeline() ? "pipeline (StableDiffusion3Pipeline)" : "stage (text encoders for training)");
            List<Map<String, Object>> parts = r.parts().stream().map(p -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("part", p.name());
                m.put("mb", mb(p.bytes()));
                m.put("source", p.source());
                m.put("check", p.check());
                return m;
            }).toList();
            s.put("parts", parts);
            s.put("total_mb", mb(r.totalBytes()));
            s.put("over_100_mb", r.overLimit());
            s.put("smoke", r.smoke());
            CliJson.print(spec, s);
            if (r.overLimit()) {
                spec.commandLine().getErr().printf(Locale.ROOT, "warning: %s is %.1f MB, over the 100 MB embedded-model budget%n",
                        r.out(), r.totalBytes() / 1e6);
            }
            return Main.EXIT_OK;
        }

        private static double mb(long bytes) {
            return Math.round(bytes / 1e4) / 100.0;
        }
    }
}
