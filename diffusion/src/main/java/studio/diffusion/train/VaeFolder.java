package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import studio.core.config.Configs;
import studio.core.data.DataPng;
import studio.core.image.RgbImage;
import studio.core.safetensors.SafeTensorsWriter;
import studio.diffusion.vae.AutoencoderKL;
import studio.diffusion.vae.LatentDistribution;
import studio.diffusion.vae.VaeConfig;

/**
 * The outputs of a VAE run: the diffusers {@code vae/} folder (config.json with AutoencoderKL's keys, SD3.md §3.1,
 * and diffusion_pytorch_model.safetensors), the measured latent statistics, and reconstruction sample sheets.
 */
final class VaeFolder {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private VaeFolder() {}

    /** The weights in diffusers keys, fp32, with the run's config in the metadata ({@code studio.training_config}). */
    static void writeWeights(Path file, Map<String, NDArray> params, VaeTrainConfig c) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter();
        params.forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
        w.metadata("format", "pt").metadata("studio.training_config", Configs.toJson(c));
        w.write(file);
    }

    /** Writes {@code folder}/config.json and the weights; returns the folder. */
    static Path write(Path folder, VaeConfig v, Map<String, NDArray> params, VaeTrainConfig c) throws IOException {
        Files.createDirectories(folder);
        ObjectNode n = JSON.createObjectNode().put("_class_name", "AutoencoderKL").put("_diffusers_version", "0.31.0")
                .put("act_fn", "silu").put("in_channels", v.inChannels()).put("out_channels", v.outChannels())
                .put("latent_channels", v.latentChannels()).put("layers_per_block", v.layersPerBlock())
                .put("norm_num_groups", v.normNumGroups()).put("sample_size", c.data().resolution())
                .put("scaling_factor", v.scalingFactor()).put("shift_factor", v.shiftFactor())
                .put("force_upcast", true).put("use_quant_conv", false).put("use_post_quant_conv", false)
                .put("mid_block_add_attention", v.midBlockAddAttention());
        n.putNull("latents_mean");
        n.putNull("latents_std");
        ArrayNode channels = n.putArray("block_out_channels");
        ArrayNode down = n.putArray("down_block_types");
        ArrayNode up = n.putArray("up_block_types");
        for (int ch : v.blockOutChannels()) {
            channels.add(ch);
            down.add("DownEncoderBlock2D");
            up.add("UpDecoderBlock2D");
        }
        Files.writeString(folder.resolve("config.json"), JSON.writeValueAsString(n));
        writeWeights(folder.resolve(VaeTrainer.WEIGHTS), params, c);
        return folder;
    }

    /**
     * {scaling_factor, shift_factor} from the posterior means of the first {@code limit} images: shift = their mean,
     * scale = 1/std, so normalised latents have zero mean and unit variance (SD3.md §3.2; SD3's 1.5305 / 0.0609 are
     * the same statistics of its VAE).
     */
    static double[] latentStats(AutoencoderKL vae, WorldImages images, int limit, NDManager manager) {
        int n = Math.min(Math.max(1, limit), images.count());
        double sum = 0;
        double sq = 0;
        long count = 0;
        for (int from = 0; from < n; from += 16) {
            int[] idx = java.util.stream.IntStream.range(from, Math.min(n, from + 16)).toArray();
            try (NDManager scope = manager.newSubManager(); LatentDistribution d = vae.encode(images.batch(scope, idx))) {
                for (float f : d.mean().toFloatArray()) {
                    sum += f;
                    sq += (double) f * f;
                    count++;
                }
            }
        }
        double mean = sum / count;
        double std = Math.sqrt(Math.max(1e-12, sq / count - mean * mean));
        return new double[] {1 / std, mean};
    }

    /** A sheet: the first {@code count} images on the top row, their reconstructions (posterior mean) below. */
    static void writeSamples(AutoencoderKL vae, WorldImages images, int count, Path file, NDManager manager)
            throws IOException {
        int n = Math.min(count, images.count());
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        try (NDManager scope = manager.newSubManager(); NDArray x = images.batch(scope, idx);
             LatentDistribution d = vae.encode(x); NDArray z = d.latents(); NDArray r = vae.decode(z)) {
            RgbImage[] top = WorldImages.toImages(x);
            RgbImage[] bottom = WorldImages.toImages(r);
            int s = top[0].width();
            RgbImage sheet = RgbImage.blank(s * n, 2 * s);
            for (int i = 0; i < n; i++) {
                paste(sheet, top[i], i * s, 0);
                paste(sheet, bottom[i], i * s, s);
            }
            Files.createDirectories(file.getParent());
            DataPng.write(file, sheet);
        }
    }

    private static void paste(RgbImage into, RgbImage im, int x0, int y0) {
        for (int y = 0; y < im.height(); y++) {
            System.arraycopy(im.rgb(), y * im.width() * 3, into.rgb(), ((y0 + y) * into.width() + x0) * 3, im.width() * 3);
        }
    }
}
