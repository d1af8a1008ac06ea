package studio.server.work;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.captioner.Captioner;
import studio.captioner.Captioners;
import studio.captioner.GroundedResult;
import studio.captioner.Overlay;
import studio.captioner.check.CheckReport;
import studio.captioner.check.PromptCheck;
import studio.captioner.check.PromptParser;
import studio.core.data.DataPng;
import studio.core.image.RgbImage;

/** The check of {@code studio check} ({@link studio.server.CheckCommand}) for the server: report plus overlay PNG. */
public final class CaptionerChecker implements ImageChecker {
    @Override
    public Map<String, Object> check(Path image, String prompt, String captionerSpec, Path overlayPng) throws Exception {
        RgbImage pixels = DataPng.read(image);
        try (Captioner captioner = Captioners.open(captionerSpec)) {
            GroundedResult result = captioner.caption(pixels);
            CheckReport report = new PromptCheck(new PromptParser(result.categories().values()))
                    .check(prompt, result, captioner.name());
            Map<String, Object> json = new LinkedHashMap<>(report.asMap());
            json.put("caption", result.caption());
            DataPng.write(overlayPng, Overlay.draw(pixels, result));
            return json;
        }
    }
}
