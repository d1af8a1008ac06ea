package studio.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import studio.captioner.Captioner;
import studio.captioner.Captioners;
import studio.captioner.GroundedResult;
import studio.captioner.Overlay;
import studio.core.data.DataPng;
import studio.core.image.RgbImage;

/**
 * {@code studio caption --model M IMAGE [--out FILE.json]} (ARCHITECTURE.md, CLI contract): the grounded caption
 * of an image, COCONut-PanCap style, with its panoptic segments, as JSON; with {@code --out} also the panoptic
 * id PNG ({@code FILE.panoptic.png}, id = R + 256·G + 256²·B) and the labelled overlay ({@code FILE.overlay.png}).
 */
@Command(name = "caption", mixinStandardHelpOptions = true,
        description = "Segment an image and describe it with <k: phrase> tags pointing at its segments; prints JSON.")
public final class CaptionCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = Captioners.PANCAP_TINY, paramLabel = "M",
            description = "Captioner: pancap-tiny (default), pancap:DIR (a model folder) or oracle:DIR (ground truth of a PanCap dataset).")
    String model;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to caption.")
    Path image;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Also write the JSON here, the id PNG and the overlay beside it.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RgbImage pixels = DataPng.read(image);
        Map<String, Object> json;
        try (Captioner captioner = Captioners.open(model)) {
            GroundedResult result = captioner.caption(pixels);
            json = describe(captioner.name(), result);
            if (out != null) {
                String stem = out.getFileName().toString().replaceFirst("\\.json$", "");
                Path ids = out.resolveSibling(stem + ".panoptic.png");
                Path overlay = out.resolveSibling(stem + ".overlay.png");
                DataPng.write(ids, result.mask().toRgb());
                DataPng.write(overlay, Overlay.draw(pixels, result));
                json.put("panoptic_png", ids.toString());
                json.put("overlay", overlay.toString());
                Files.writeString(out, CliJson.PRETTY.writeValueAsString(json));
            }
        }
        json.put("image", image.toString());
        spec.commandLine().getOut().println(CliJson.PRETTY.writeValueAsString(json));
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }

    private static Map<String, Object> describe(String captioner, GroundedResult result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("captioner", captioner);
        json.put("caption", result.caption());
        json.put("plain_caption", result.parsedCaption(captioner).plain());
        List<Map<String, Object>> segments = new ArrayList<>();
        for (GroundedResult.Segment s : result.segments()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", s.id());
            row.put("category_id", s.categoryId());
            row.put("class", s.className());
            row.put("isthing", s.isThing() ? 1 : 0);
            row.put("score", s.score());
            row.put("area", s.area());
            row.put("bbox", s.box() == null ? null : s.box().asList());
            segments.add(row);
        }
        json.put("segments", segments);
        return json;
    }
}
