package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.ops.Kernels;
import studio.core.safetensors.SafeTensors;
import studio.core.weights.LoadReport;
import studio.core.weights.Weights;
import studio.diffusion.nn.Params;

/**
 * The SD3 VAE (diffusers AutoencoderKL, SD3.md §3): {@link Encoder} to a diagonal Gaussian over 16 latent
 * channels, {@link Decoder} back to RGB; no quant convs (§7.12). Runs in fp32 by default whatever the
 * stored dtype (the SD3 file is F16; diffusers' force_upcast). Images are [B, 3, H, W] in [−1, 1] fp32,
 * H and W multiples of {@link VaeConfig#scaleFactor()}. Latents seen by the transformer are normalised:
 * (z − shift)·scale on encode, z/scale + shift before decode (§3.2, §2.5).
 */
public final class AutoencoderKL {

    private final VaeConfig config;
    private final Precision precision;
    private final Encoder encoder;
    private final Decoder decoder;
    private final LoadReport report;

    /** From a checkpoint root view (keys {@code encoder.*}, {@code decoder.*}); strict load. */
    public AutoencoderKL(Weights w, VaeConfig config) {
        this(Params.of(w), config, w);
    }

    private AutoencoderKL(Params p, VaeConfig config, Weights checkpoint) {
        this.config = config;
        this.precision = p.precision();
        this.encoder = new Encoder(p.pp("encoder"), config);
        this.decoder = new Decoder(p.pp("decoder"), config);
        this.report = checkpoint == null ? LoadReport.random() : checkpoint.finishLoad();
    }

    /**
     * Built from any {@link Params} (keys {@code encoder.*}, {@code decoder.*}): initial weights for training,
     * recorded by name so the trainer owns them. Its {@link #loadReport()} is {@link LoadReport#random()}.
     */
    public static AutoencoderKL of(Params p, VaeConfig config) {
        return new AutoencoderKL(p, config, null);
    }

    /** A diffusers {@code vae/} folder (config.json + diffusion_pytorch_model.safetensors), in fp32. */
    public static AutoencoderKL load(Path folder, NDManager manager) throws IOException {
        return load(folder, manager, Precision.F32);
    }

    /** As {@link #load(Path, NDManager)} in another compute precision (not recommended: SD3's VAE is fp32). */
    public static AutoencoderKL load(Path folder, NDManager manager, Precision precision) throws IOException {
        Path json = folder.resolve("config.json");
        if (!Files.isRegularFile(json)) {
            throw new BadInputException(json.toString(), "no VAE config.json");
        }
        VaeConfig config = VaeConfig.fromConfigJson(json);
        try (SafeTensors file = SafeTensors.open(folder)) {
            return new AutoencoderKL(Weights.of(file, manager, precision), config);
        }
    }

    public VaeConfig config() {
        return config;
    }

    public Precision precision() {
        return precision;
    }

    public LoadReport loadReport() {
        return report;
    }

    /** image [B, 3, H, W] fp32 in [−1, 1] → the latent distribution (fp32); the image is not closed. */
    public LatentDistribution encode(NDArray image) {
        checkImage(image);
        try (NDArray in = toCompute(image); NDArray moments = encoder.forward(in)) {
            return new LatentDistribution(toF32(moments), config);
        }
    }

    /**
     * Training path (fp32 models): image → moments [B, 2·latent, h, w] (mean, then log-variance, unclamped),
     * keeping autograd history (no copies: DJL's duplicate() does not carry it).
     */
    public NDArray encodeMoments(NDArray image) {
        checkImage(image);
        return encoder.forward(image);
    }

    /** Training path: un-normalised latents z [B, latent, h, w] → image, keeping autograd history. */
    public NDArray decodeRaw(NDArray z) {
        return decoder.forward(z);
    }

    /** Normalised latents [B, latent, h, w] fp32 → image [B, 3, h·f, w·f] fp32 (about [−1, 1]); latents not closed. */
    public NDArray decode(NDArray latents) {
        if (latents.getShape().dimension() != 4 || latents.getShape().get(1) != config.latentChannels()) {
            throw new BadInputException("latents", "expected [B, " + config.latentChannels() + ", h, w], got "
                    + latents.getShape());
        }
        try (NDArray z = denormalise(latents, config); NDArray in = toCompute(z); NDArray out = decoder.forward(in)) {
            return toF32(out);
        }
    }

    /** (z − shift)·scale: VAE space → transformer space (§3.2). */
    public static NDArray normalise(NDArray z, VaeConfig c) {
        try (NDArray shift = scalar(z, c.shiftFactor()); NDArray scale = scalar(z, c.scalingFactor());
             NDArray centred = z.sub(shift)) {
            return centred.mul(scale);
        }
    }

    /** z/scale + shift: transformer space → VAE space (§2.5 decode). */
    public static NDArray denormalise(NDArray latents, VaeConfig c) {
        try (NDArray shift = scalar(latents, c.shiftFactor()); NDArray scale = scalar(latents, c.scalingFactor());
             NDArray scaled = latents.div(scale)) {
            return scaled.add(shift);
        }
    }

    /** A device scalar (torch.full; no host copy, STYLE.md pitfall 3). */
    private static NDArray scalar(NDArray like, double v) {
        return like.getManager().full(new Shape(), (float) v, DataType.FLOAT32);
    }

    private void checkImage(NDArray image) {
        Shape s = image.getShape();
        int f = config.scaleFactor();
        if (s.dimension() != 4 || s.get(1) != config.inChannels() || s.get(2) % f != 0 || s.get(3) % f != 0) {
            throw new BadInputException("image", "expected [B, " + config.inChannels() + ", H, W] with H and W multiples of "
                    + f + ", got " + s);
        }
    }

    private NDArray toCompute(NDArray x) {
        return precision == Precision.F32 ? x.duplicate() : Kernels.of(x).cast(x, precision);
    }

    private NDArray toF32(NDArray x) {
        return precision == Precision.F32 ? x.duplicate() : Kernels.of(x).cast(x, Precision.F32);
    }
}
