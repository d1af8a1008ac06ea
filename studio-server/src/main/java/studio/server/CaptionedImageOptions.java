package studio.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import studio.captioner.GroundedResult;
import studio.captioner.Overlay;
import studio.core.data.DataPng;
import studio.core.image.RgbImage;

/**
 * The image and {@code --out} of the commands that caption one image ({@code caption}, {@code check}; a picocli
 * mixin), and what they do with them: the JSON on stdout and, with {@code --out FILE.json}, in that file with the
 * labelled overlay beside it ({@code FILE.overlay.png}).
 */
final class CaptionedImageOptions {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to ${COMMAND-NAME}.")
    Path image;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Also write the JSON here and the overlay PNG "
            + "(FILE.overlay.png) beside it; caption also writes the id PNG (FILE.panoptic.png).")
    Path out;

    RgbImage pixels() throws IOException {
        return DataPng.read(image);
    }

    /** A file beside {@code --out}: its name without {@code .json}, then {@code suffix}. */
    Path beside(String suffix) {
        return out.resolveSibling(out.getFileName().toString().replaceFirst("\\.json$", "") + suffix);
    }

    /** With {@code --out}: writes the overlay (its path into {@code json} as "overlay"), then the JSON. */
    void save(Map<String, Object> json, RgbImage pixels, GroundedResult result) throws IOException {
        if (out == null) {
            return;
        }
        Path overlay = beside(".overlay.png");
        DataPng.write(overlay, Overlay.draw(pixels, result));
        json.put("overlay", overlay.toString());
        Files.writeString(out, CliJson.PRETTY.writeValueAsString(json));
    }

    static void print(CommandSpec spec, Map<String, Object> json) throws IOException {
        spec.commandLine().getOut().println(CliJson.PRETTY.writeValueAsString(json));
        spec.commandLine().getOut().flush();
    }
}
