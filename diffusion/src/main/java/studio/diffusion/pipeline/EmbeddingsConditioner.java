package studio.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import studio.core.BadInputException;
import studio.core.safetensors.SafeTensors;
import studio.diffusion.text.Conditioning;
import studio.diffusion.text.Prompts;
import studio.diffusion.text.TokenReport;

/**
 * Conditioning made elsewhere, diffusers' {@code StableDiffusion3Pipeline(prompt_embeds=…)} path: a safetensors
 * file with {@code prompt_embeds} [1, T, joint_dim] and {@code pooled_prompt_embeds} [1, pooled_dim], and for
 * classifier-free guidance {@code negative_prompt_embeds} / {@code negative_pooled_prompt_embeds} of the same
 * shapes. The prompt texts only label the image; the embeddings decide it (e.g. to feed the studio exactly what
 * diffusers' encode_prompt produced).
 */
public final class EmbeddingsConditioner implements Conditioner {
    private final Path file;
    private final String positivePrompt;
    private final float[][] rows; // prompt, pooled, negative, negative pooled (null when absent)
    private final long[][] shapes;

    public EmbeddingsConditioner(Path file, String positivePrompt) throws IOException {
        this.file = file;
        this.positivePrompt = positivePrompt;
        String[] names = {"prompt_embeds", "pooled_prompt_embeds", "negative_prompt_embeds", "negative_pooled_prompt_embeds"};
        rows = new float[4][];
        shapes = new long[4][];
        try (SafeTensors st = SafeTensors.open(file)) {
            for (int i = 0; i < names.length; i++) {
                if (st.contains(names[i])) {
                    shapes[i] = st.info(names[i]).shape();
                    if (shapes[i].length != (i % 2 == 0 ? 3 : 2) || shapes[i][0] != 1) {
                        throw new BadInputException(file + ": " + names[i], "expected [1, T, D] embeddings or [1, P] pooled, got "
                                + java.util.Arrays.toString(shapes[i]));
                    }
                    rows[i] = st.readFloats(names[i]);
                } else if (i < 2) {
                    throw new BadInputException(file + ": " + names[i], "missing tensor");
                }
            }
        }
    }

    /** Every prompt equal to the positive one gets rows 0/1, any other the negative rows (which must then exist). */
    @Override
    public Conditioning encode(List<Prompts> prompts, int t5Length, NDManager manager) {
        NDList ctx = new NDList();
        NDList pooled = new NDList();
        List<TokenReport> reports = new ArrayList<>();
        for (Prompts p : prompts) {
            int base = p.prompt().equals(positivePrompt) ? 0 : 2;
            if (rows[base] == null || rows[base + 1] == null) {
                throw new BadInputException(file + ": negative_prompt_embeds",
                        "missing; needed for classifier-free guidance (guidance > 1)");
            }
            ctx.add(manager.create(rows[base], new Shape(shapes[base])));
            pooled.add(manager.create(rows[base + 1], new Shape(shapes[base + 1])));
            reports.add(new TokenReport(List.of(TokenReport.Encoder.whole("embeddings file " + file.getFileName(),
                    p.prompt(), (int) shapes[base][1]))));
        }
        if (ctx.size() == 2 && !ctx.get(0).getShape().equals(ctx.get(1).getShape())) {
            throw new BadInputException(file.toString(), "negative and positive embeddings differ in shape: "
                    + ctx.get(0).getShape() + " vs " + ctx.get(1).getShape());
        }
        NDArray c = NDArrays.concat(ctx, 0);
        return new Conditioning(c, NDArrays.concat(pooled, 0), reports);
    }

    @Override
    public void close() {
        // Host arrays only; nothing on the device to free.
    }
}
