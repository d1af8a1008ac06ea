package studio.server.work;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import studio.core.device.Precision;
import studio.diffusion.pipeline.Conditioner;
import studio.diffusion.pipeline.Conditioning;
import studio.diffusion.pipeline.ModelFolder;
import studio.diffusion.pipeline.PromptReport;
import studio.diffusion.pipeline.TextToImage;
import studio.diffusion.text.PromptEncoder;
import studio.diffusion.text.Prompts;
import studio.diffusion.text.TextOptions;
import studio.diffusion.text.TokenReport;

/**
 * The model folder's CLIP-L, CLIP-G and T5 as the pipeline's {@link Conditioner}, for the server until the
 * pipeline's own text conditioner is merged (branch {@code pipeline}); then this class goes. The T5 length is the
 * first request's: the encoders are freed after every encoding and loaded again with the next request's length.
 */
final class PromptEncoderConditioner implements Conditioner {
    private final ModelFolder folder;
    private final NDManager manager;
    private final Precision precision;
    private PromptEncoder encoder;

    private PromptEncoderConditioner(ModelFolder folder, NDManager manager, Precision precision) {
        this.folder = folder;
        this.manager = manager;
        this.precision = precision;
    }

    static TextToImage.ConditionerLoader loader(Precision precision) {
        return (folder, manager) -> new PromptEncoderConditioner(folder, manager, precision);
    }

    @Override
    public Conditioning encode(List<String> prompts, int t5Length, NDManager out) {
        try {
            if (encoder == null || encoder.options().t5Length() != t5Length) {
                close();
                encoder = PromptEncoder.load(folder.root(), manager, precision, TextOptions.defaults().withT5Length(t5Length));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Prompts> batch = new ArrayList<>();
        prompts.forEach(p -> batch.add(Prompts.of(p)));
        studio.diffusion.text.Conditioning c = encoder.encode(batch, out);
        List<PromptReport> reports = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            reports.add(report(prompts.get(i), c.reports().get(i)));
        }
        return new Conditioning(c.context(), c.pooled(), reports);
    }

    private static PromptReport report(String prompt, TokenReport t) {
        List<PromptReport.Encoder> encoders = new ArrayList<>();
        for (TokenReport.Encoder e : t.encoders()) {
            encoders.add(new PromptReport.Encoder(e.name(), e.tokens(), e.capacity(), e.dropped()));
        }
        return new PromptReport(prompt, encoders);
    }

    @Override
    public void close() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }
}
