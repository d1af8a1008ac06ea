package studio.server;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.captioner.Captioner;
import studio.captioner.Captioners;
import studio.captioner.PredictionWriter;
import studio.core.data.pancap.PanCapDataset;
import studio.core.data.panoptic.PanopticAnnotation;

/**
 * {@code studio eval predict --model M --data DIR --out PRED}: runs a captioner over every image of a
 * PanCap-format dataset and writes its panoptic masks and grounded captions in the same layout
 * ({@link PredictionWriter}), ready for {@code studio eval pq|caption --gt DIR --pred PRED}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Caption and segment every image of a PanCap-format dataset; write the predictions for eval pq|caption.")
public final class EvalPredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", description = "Captioner: pancap-tiny, pancap:DIR or oracle:DIR.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "The dataset (panoptic.json + images/).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "PRED", description = "Folder for panoptic.json, panoptic/ and captions/.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PanCapDataset ds = PanCapDataset.open(data);
        PredictionWriter writer = new PredictionWriter(out);
        long start = System.nanoTime();
        int n = 0;
        try (Captioner captioner = Captioners.open(model)) {
            for (PanopticAnnotation a : ds.json().annotations()) {
                var sample = ds.sample(a);
                writer.add(a.imageId(), sample.info().fileName(), captioner.caption(sample.loadImage()));
                n++;
            }
        }
        writer.finish(ds.categories());
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote predictions for %d images to %s in %.1f s%n", n, out,
                (System.nanoTime() - start) / 1e9);
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
