package studio.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What a {@link Conditioner} returns: context [N, T, joint_dim], pooled [N, pooled_dim] (fp32) and what each
 * encoder kept and dropped of each prompt.
 */
public record Conditioning(NDArray context, NDArray pooled, List<PromptReport> reports) {
    public Conditioning {
        reports = List.copyOf(reports);
        if (context.getShape().get(0) != pooled.getShape().get(0) || context.getShape().get(0) != reports.size()) {
            throw new IllegalArgumentException("context " + context.getShape() + ", pooled " + pooled.getShape()
                    + " and " + reports.size() + " reports disagree on the batch size");
        }
    }
}
