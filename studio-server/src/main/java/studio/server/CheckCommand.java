package studio.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.captioner.Captioner;
import studio.captioner.Captioners;
import studio.captioner.GroundedResult;
import studio.captioner.check.CheckReport;
import studio.captioner.check.PromptCheck;
import studio.captioner.check.PromptParser;
import studio.core.image.RgbImage;

/**
 * {@code studio check --model M --prompt TEXT IMAGE [--out FILE.json]}: captions and segments the image,
 * checks it against the prompt and prints the report as JSON (also written to FILE.json with an
 * overlay next to it, FILE.overlay.png). Exit 0 whatever the verdicts: the report is the output.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check an image against its prompt: per entity present / missing / wrong colour / wrong count / wrong position, relations, F1s.")
public final class CheckCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", description = "Captioner: pancap-tiny, pancap:DIR (a model folder) or oracle:DIR (ground truth of a PanCap dataset).")
    String model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt the image was made from (tags allowed).")
    String prompt;

    @CommandLine.Mixin
    CaptionedImageOptions io;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RgbImage pixels = io.pixels();
        Map<String, Object> json;
        try (Captioner captioner = Captioners.open(model)) {
            GroundedResult result = captioner.caption(pixels);
            CheckReport report = new PromptCheck(new PromptParser(result.categories().values())).check(prompt, result, captioner.name());
            json = new LinkedHashMap<>(report.asMap());
            json.put("image", io.image.toString());
            json.put("caption", result.caption());
            io.save(json, pixels, result);
        }
        CaptionedImageOptions.print(spec, json);
        return Main.EXIT_OK;
    }
}
