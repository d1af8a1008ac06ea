package studio.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.captioner.Captioner;
import studio.captioner.Captioners;
import studio.captioner.GroundedResult;
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
            json = describe(captioner.name(), result);
            if (io.out != null) {
                Path ids = io.beside(".panoptic.png");
                DataPng.write(ids, result.mask().toRgb());
                json.put("panoptic_png", ids.toString());
            }
            io.save(json, pixels, result);
        }
        json.put("image", io.image.toString());
        CaptionedImageOptions.print(spec, json);
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
