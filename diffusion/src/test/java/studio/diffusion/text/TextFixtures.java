package studio.diffusion.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import studio.core.safetensors.SafeTensors;

/** The committed fixtures of tools/reference/text_reference.py (fixtures/text/). */
final class TextFixtures {
    private TextFixtures() {}

    /** {@code fixtures/text/<relative>} on the test classpath. */
    static Path path(String relative) {
        try {
            return Path.of(TextFixtures.class.getResource("/fixtures/text/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tiny SD3 text folder (tokenizer*, text_encoder*). */
    static Path tiny() {
        return path("sd3-text-tiny");
    }

    /** The real CLIP merges under ../shared, or null when the shared folder is absent. */
    static Path realMerges() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path gz = p.resolve("shared/data/clip/bpe_simple_vocab_16e6.txt.gz");
            if (Files.isRegularFile(gz)) {
                return gz;
            }
        }
        return null;
    }

    /** An I64 tensor of {@code file} as an int64 array. */
    static NDArray ids(SafeTensors file, String name, NDManager m) {
        return m.create(file.readLongs(name), new Shape(file.info(name).shape()));
    }

    static NDArray floats(SafeTensors file, String name, NDManager m) {
        return m.create(file.readFloats(name), new Shape(file.info(name).shape()));
    }
}
