package studio.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import studio.core.safetensors.SafeTensors;
import studio.diffusion.text.Conditioning;
import studio.diffusion.text.Prompts;
import studio.diffusion.text.TokenReport;

/**
 * A conditioner over the fixture's rows of tools/reference/pipeline_reference.py: the empty prompt is row 0
 * (uncond), any other prompt row 1 (cond). Counts loads and closes so tests can see the encoders freed.
 */
final class FixedConditioner implements Conditioner {
    static int loads;
    static int closes;

    private final float[] context;
    private final float[] pooled;
    private final long[] contextShape;
    private final long[] pooledShape;

    FixedConditioner(SafeTensors f) {
        loads++;
        context = f.readFloats("context");
        pooled = f.readFloats("pooled");
        contextShape = f.info("context").shape();
        pooledShape = f.info("pooled").shape();
    }

    @Override
    public Conditioning encode(List<Prompts> prompts, int t5Length, NDManager manager) {
        NDArray ctx = manager.create(context, new ai.djl.ndarray.types.Shape(contextShape));
        NDArray pool = manager.create(pooled, new ai.djl.ndarray.types.Shape(pooledShape));
        NDList c = new NDList();
        NDList p = new NDList();
        List<TokenReport> reports = new ArrayList<>();
        for (Prompts ps : prompts) {
            String prompt = ps.prompt();
            int row = prompt.isEmpty() ? 0 : 1;
            c.add(ctx.get(row + ":" + (row + 1)));
            p.add(pool.get(row + ":" + (row + 1)));
            int words = prompt.isBlank() ? 0 : prompt.trim().split("\\s+").length;
            reports.add(new TokenReport(List.of(TokenReport.Encoder.whole("fixture", prompt, words))));
        }
        return new Conditioning(NDArrays.concat(c, 0), NDArrays.concat(p, 0), reports);
    }

    @Override
    public void close() {
        closes++;
    }
}
