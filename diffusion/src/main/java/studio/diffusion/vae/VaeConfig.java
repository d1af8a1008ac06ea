package studio.diffusion.vae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import studio.core.BadInputException;

/**
 * The AutoencoderKL configuration, with the keys of diffusers' {@code vae/config.json} (SD3.md §3.1).
 *
 * @param blockOutChannels channels per level, encoder order (SD3: 128, 256, 512, 512)
 * @param layersPerBlock resnets per encoder level; decoder levels have one more
 * @param normNumGroups GroupNorm groups (32), must divide every level's channels
 * @param scalingFactor latent scale (SD3 1.5305), {@code z = (sample − shift)·scale} (§3.2)
 * @param shiftFactor latent shift (SD3 0.0609)
 * @param midBlockAddAttention whether the mid blocks hold the single-head attention
 */
public record VaeConfig(int inChannels, int outChannels, int latentChannels, List<Integer> blockOutChannels,
                        int layersPerBlock, int normNumGroups, double scalingFactor, double shiftFactor,
                        boolean midBlockAddAttention) {

    public VaeConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        if (blockOutChannels.isEmpty() || layersPerBlock < 1) {
            throw new BadInputException("block_out_channels", "need at least one level and layers_per_block ≥ 1");
        }
        for (int c : blockOutChannels) {
            if (normNumGroups < 1 || c % normNumGroups != 0) {
                throw new BadInputException("norm_num_groups", normNumGroups + " does not divide block channels " + c);
            }
        }
        if (scalingFactor == 0) {
            throw new BadInputException("scaling_factor", "must not be 0");
        }
    }

    /** Pixels per latent pixel: 2^(levels − 1), 8 for SD3. */
    public int scaleFactor() {
        return 1 << (blockOutChannels.size() - 1);
    }

    /** The widest level (mid blocks, decoder input). */
    public int midChannels() {
        return blockOutChannels.get(blockOutChannels.size() - 1);
    }

    /** SD3 / SD3.5 (SD3.md §3.1): 16 latent channels, [128, 256, 512, 512], 2 layers, 32 groups. */
    public static VaeConfig sd3() {
        return new VaeConfig(3, 3, 16, List.of(128, 256, 512, 512), 2, 32, 1.5305, 0.0609, true);
    }

    /** The test size of tools/reference/vae_reference.py: two levels [16, 32], 1 layer, 8 groups, 16 latents. */
    public static VaeConfig tiny() {
        return new VaeConfig(3, 3, 16, List.of(16, 32), 1, 8, 1.5305, 0.0609, true);
    }

    /** A preset by name: sd3, tiny. */
    public static VaeConfig preset(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "sd3": case "sd3-medium": case "sd3.5": return sd3();
            case "tiny": return tiny();
            default: throw new BadInputException("vae preset", "unknown '" + name + "', expected sd3 or tiny");
        }
    }

    /**
     * Reads {@code vae/config.json}. Missing keys take diffusers' AutoencoderKL defaults except the
     * SD3-specific ones (latent_channels, block_out_channels, scaling_factor), which are required.
     * Quant convs and latents_mean/std (other VAE families) are refused: SD3 has none (§3.1).
     */
    public static VaeConfig fromConfigJson(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        for (String key : new String[] {"use_quant_conv", "use_post_quant_conv"}) {
            if (n.path(key).asBoolean(true)) {
                throw new BadInputException(file + ": " + key, "must be false (the SD3 VAE has no quant convs, SD3.md §3.1)");
            }
        }
        if (n.hasNonNull("latents_mean") || n.hasNonNull("latents_std")) {
            throw new BadInputException(file + ": latents_mean", "per-channel latent statistics are not SD3's normalisation");
        }
        if (!"silu".equals(n.path("act_fn").asText("silu"))) {
            throw new BadInputException(file + ": act_fn", "must be silu, got " + n.get("act_fn"));
        }
        List<Integer> channels = new ArrayList<>();
        n.path("block_out_channels").forEach(v -> channels.add(v.asInt()));
        if (channels.isEmpty()) {
            throw new BadInputException(file + ": block_out_channels", "missing or empty");
        }
        if (!n.hasNonNull("latent_channels") || !n.hasNonNull("scaling_factor")) {
            throw new BadInputException(file.toString(), "latent_channels and scaling_factor are required");
        }
        return new VaeConfig(n.path("in_channels").asInt(3), n.path("out_channels").asInt(3),
                n.get("latent_channels").asInt(), channels, n.path("layers_per_block").asInt(1),
                n.path("norm_num_groups").asInt(32), n.get("scaling_factor").asDouble(),
                n.path("shift_factor").isNull() ? 0.0 : n.path("shift_factor").asDouble(0.0),
                n.path("mid_block_add_attention").asBoolean(true));
    }
}
