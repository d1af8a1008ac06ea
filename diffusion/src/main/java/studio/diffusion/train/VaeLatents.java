package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import studio.core.image.ImageTensors;
import studio.core.image.RgbImage;
import studio.diffusion.vae.AutoencoderKL;
import studio.diffusion.vae.LatentDistribution;

/**
 * The SD3 VAE as the trainer's latent encoder: x₀ = (sample of vae.encode(img) − shift)·scale with the image in
 * [−1, 1] (SD3.md §2.6). The sample's noise is seeded by the image's own bytes, so the latent of an image is
 * one fixed value that the cache can keep (diffusers draws a fresh sample each epoch unless it caches).
 * Also decodes, for validation images. Owns the loaded VAE until {@link #close}.
 */
public final class VaeLatents implements LatentEncoder, LatentDecoder, AutoCloseable {
    private final Path folder;
    private final NDManager manager;
    private final AutoencoderKL vae;

    private VaeLatents(Path folder, NDManager manager, AutoencoderKL vae) {
        this.folder = folder;
        this.manager = manager;
        this.vae = vae;
    }

    /** Loads a diffusers {@code vae/} folder in fp32. */
    public static VaeLatents load(Path folder) throws IOException {
        NDManager m = NDManager.newBaseManager();
        try {
            return new VaeLatents(folder, m, AutoencoderKL.load(folder, m));
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return "vae:" + folder.toAbsolutePath().normalize() + ":" + vae.config() + ":sample-seeded-by-content";
    }

    @Override
    public int channels() {
        return vae.config().latentChannels();
    }

    @Override
    public int factor() {
        return 1 << (vae.config().blockOutChannels().size() - 1);
    }

    @Override
    public NDArray encode(NDManager out, RgbImage image) {
        try (NDManager m = out.newSubManager()) {
            NDArray x = ImageTensors.toBatch(m, List.of(image), ImageTensors.Range.SIGNED);
            try (LatentDistribution d = vae.encode(x)) {
                NDArray z = AutoencoderKL.normalise(d.sample(java.util.Arrays.hashCode(image.rgb())), vae.config());
                NDArray first = z.get(0);
                first.attach(out);
                return first;
            }
        }
    }

    @Override
    public RgbImage decode(NDArray latent) {
        try (NDManager m = latent.getManager().newSubManager()) {
            NDArray z = latent.expandDims(0);
            z.attach(m);
            NDArray img = vae.decode(z);
            img.attach(m);
            return ImageTensors.toImage(img.get(0), ImageTensors.Range.SIGNED);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
