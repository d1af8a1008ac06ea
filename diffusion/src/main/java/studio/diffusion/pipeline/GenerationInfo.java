package studio.diffusion.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import studio.core.image.PngFiles;
import studio.core.image.PngTextChunk;
import studio.core.image.RgbImage;
import studio.diffusion.sampling.Guidance;
import studio.diffusion.text.TokenReport;

/**
 * Everything needed to make one image again, stored in its PNG: an AUTOMATIC1111-style {@code parameters} text
 * (tEXt; iTXt when the prompt is not Latin-1) and a {@code studio} iTXt JSON record. The seed is the image's
 * own (batch seed + index), so each file reproduces alone with {@code --batch 1}.
 */
public record GenerationInfo(String model, String modelPath, GenerationRequest request, long seed, int batchIndex,
                             double shift, String dtype, String device, List<LoraUse> loras,
                             TokenReport promptReport, TokenReport negativeReport, Map<String, String> versions) {

    /** A LoRA as used: file, multiplier, SHA-256. */
    public record LoraUse(String name, String file, float scale, String sha256) {}

    public static final String PARAMETERS = "parameters";
    public static final String STUDIO = "studio";

    /** The A1111 sampler name. */
    static String samplerLabel(String sampler) {
        switch (sampler) {
            case "heun": return "Heun";
            case "dpmpp_2m": return "DPM++ 2M";
            default: return "Euler";
        }
    }

    /** prompt, "Negative prompt: …" (when set), then one line of "Key: value" pairs, A1111's layout. */
    public String parameters() {
        GenerationRequest r = request;
        StringBuilder s = new StringBuilder(r.prompt());
        if (!r.negative().isEmpty()) {
            s.append("\nNegative prompt: ").append(r.negative());
        }
        s.append("\nSteps: ").append(r.steps())
                .append(", Sampler: ").append(samplerLabel(r.sampler()))
                .append(", CFG scale: ").append(fmt(r.guidance()))
                .append(", Seed: ").append(seed)
                .append(", Size: ").append(r.width()).append('x').append(r.height())
                .append(", Model: ").append(model)
                .append(", Shift: ").append(fmt(shift))
                .append(", T5 length: ").append(r.t5Length());
        if (!loras.isEmpty()) {
            List<String> hashes = new ArrayList<>();
            List<String> scales = new ArrayList<>();
            for (LoraUse l : loras) {
                hashes.add(l.name() + ": " + l.sha256().substring(0, 12));
                scales.add(l.name() + ": " + fmt(l.scale()));
            }
            s.append(", Lora hashes: \"").append(String.join(", ", hashes)).append('"');
            s.append(", Lora scales: \"").append(String.join(", ", scales)).append('"');
        }
        if (r.slg() != null) {
            s.append(", SLG: \"").append(slgLabel(r.slg())).append('"');
        }
        s.append(", Version: ").append(versions.getOrDefault("studio", "PanCap Studio"));
        return s.toString();
    }

    /** The JSON record: every request field, the resolved model and scheduler, LoRAs, token reports, versions. */
    public Map<String, Object> toJson() {
        GenerationRequest r = request;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("model_path", modelPath);
        m.put("prompt", r.prompt());
        m.put("prompt_2", r.prompt2());
        m.put("prompt_3", r.prompt3());
        m.put("negative_prompt", r.negative());
        m.put("negative_prompt_2", r.negative2());
        m.put("negative_prompt_3", r.negative3());
        m.put("seed", seed);
        m.put("batch_seed", r.seed());
        m.put("batch_index", batchIndex);
        m.put("batch_size", r.batch());
        m.put("steps", r.steps());
        m.put("guidance", r.guidance());
        m.put("sampler", r.sampler());
        m.put("shift", shift);
        m.put("width", r.width());
        m.put("height", r.height());
        m.put("t5_length", r.t5Length());
        m.put("skip_layer_guidance", r.slg() == null ? null : slgJson(r.slg()));
        m.put("dtype", dtype);
        m.put("device", device);
        List<Map<String, Object>> ls = new ArrayList<>();
        for (LoraUse l : loras) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", l.name());
            e.put("file", l.file());
            e.put("scale", l.scale());
            e.put("sha256", l.sha256());
            ls.add(e);
        }
        m.put("loras", ls);
        Map<String, Object> tokens = new LinkedHashMap<>();
        tokens.put("prompt", promptReport.toJson());
        tokens.put("negative_prompt", negativeReport.toJson());
        m.put("token_report", tokens);
        m.put("noise", "studio SeededNoise (SplitMix64 + Box-Muller), not torch.Generator");
        m.put("versions", versions);
        return m;
    }

    public String json() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The two text chunks written with the image. */
    public List<PngTextChunk> chunks() {
        String p = parameters();
        boolean latin1 = StandardCharsets.ISO_8859_1.newEncoder().canEncode(p);
        return List.of(latin1 ? PngTextChunk.latin1(PARAMETERS, p) : PngTextChunk.utf8(PARAMETERS, p),
                PngTextChunk.utf8(STUDIO, json()));
    }

    /** Writes {@code image} as a PNG with {@link #chunks()}. */
    public void writePng(Path path, RgbImage image) {
        PngFiles.write(path, image, chunks());
    }

    private static Map<String, Object> slgJson(Guidance.SkipLayer slg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layers", slg.layers().stream().sorted().toList());
        m.put("scale", slg.scale());
        m.put("start", slg.start());
        m.put("stop", slg.stop());
        return m;
    }

    /** e.g. {@code layers 7 8 9, scale 2.8, 1%-20% of steps}. */
    static String slgLabel(Guidance.SkipLayer slg) {
        StringBuilder b = new StringBuilder("layers");
        slg.layers().stream().sorted().forEach(l -> b.append(' ').append(l));
        return b.append(", scale ").append(fmt(slg.scale())).append(", ")
                .append(Math.round(slg.start() * 100)).append("%-").append(Math.round(slg.stop() * 100))
                .append("% of steps").toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%s", (float) v);
    }
}
