package studio.server;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.core.BadInputException;
import studio.core.Installation;
import studio.core.io.AtomicFiles;
import studio.eval.clipscore.CaptionedImages;
import studio.eval.clipscore.ClipModelFolder;
import studio.eval.clipscore.ClipScoreRun;
import studio.eval.clipscore.ClipScoreSummary;
import studio.eval.clipscore.ClipTextEmbedder;
import studio.eval.features.ClipImageExtractor;
import studio.eval.features.CountingExtractor;
import studio.eval.features.Extractors;
import studio.eval.features.ImageFolder;
import studio.eval.features.NetworkExtractor;
import studio.eval.features.ResizeMode;
import studio.eval.fid.EpsPolicy;
import studio.eval.fid.FeatureCache;
import studio.eval.fid.FeatureFiles;
import studio.eval.fid.FeatureMatrix;
import studio.eval.fid.FrechetDistance;
import studio.eval.fid.FrechetResult;

/**
 * {@code studio eval fid}, {@code eval features} and {@code eval clipscore}: the commands that run a feature network
 * over image folders (issue 8). Reports name the extractor (network and weights id) and the resize.
 */
final class EvalFeaturesCommands {
    private EvalFeaturesCommands() {}

    static void writeJson(Path out, Object report) throws Exception {
        AtomicFiles.write(out, (CliJson.PRETTY.writeValueAsString(report) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Command(name = "fid", description = "Frechet distance between two image folders (read recursively, PNG/JPEG) in a "
            + "feature space: FID (Inception pool3), FD-DINOv2, CLIP or the tiny CLIP; features cached per set; prints JSON.")
    static final class Fid implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--real", required = true, paramLabel = "DIR", description = "reference images")
        Path real;

        @Option(names = "--fake", required = true, paramLabel = "DIR", description = "generated images")
        Path fake;

        @picocli.CommandLine.Mixin
        FeatureOptionsMixin options;

        @Option(names = "--cache", paramLabel = "DIR",
                description = "feature cache (default <studio home>/runs/cache/features): a set is extracted once per "
                        + "(image bytes, extractor, resize)")
        Path cache;

        @Option(names = "--no-cache", description = "extract both sets, read and write no cache")
        boolean noCache;

        @Option(names = "--out", paramLabel = "FILE", description = "also write the JSON here")
        Path out;

        @picocli.CommandLine.Mixin
        FrechetOptions frechet;

        @Override
        public Integer call() throws Exception {
            frechet.policy(); // bad options fail before any image is read
            ResizeMode resize = ResizeMode.parse(options.resize);
            List<Path> realImages = ImageFolder.list(real, "--real");
            List<Path> fakeImages = ImageFolder.list(fake, "--fake");
            FeatureCache featureCache = noCache ? null
                    : new FeatureCache(cache != null ? cache : Installation.root().resolve("runs/cache/features"));
            Map<String, Object> report = report(realImages, real, fakeImages, fake, options.features, options.weights,
                    resize, featureCache, frechet);
            if (out != null) {
                writeJson(out, report);
            }
            CliJson.print(spec, report);
            return Main.EXIT_OK;
        }

        /** The report of {@link #call()} (also the server's evaluate job's, through {@link EvalRuns#fid}). */
        static Map<String, Object> report(List<Path> realImages, Path real, List<Path> fakeImages, Path fake,
                                          String features, Path weights, ResizeMode resize, FeatureCache featureCache,
                                          FrechetOptions frechet) throws Exception {
            EpsPolicy policy = frechet.policy();
            if (realImages.size() < 2 || fakeImages.size() < 2) {
                throw new BadInputException(realImages.size() < 2 ? "--real " + real : "--fake " + fake,
                        "needs at least 2 images (a covariance needs two samples)");
            }
            long t0 = System.nanoTime();
            try (NDManager root = NDManager.newBaseManager();
                 NetworkExtractor network = Extractors.open(features, weights, resize, root)) {
                long t1 = System.nanoTime();
                CountingExtractor counting = new CountingExtractor(network);
                Map<String, Object> sets = new LinkedHashMap<>();
                FeatureMatrix realFeatures = features(featureCache, counting, realImages, "real", real, sets);
                FeatureMatrix fakeFeatures = features(featureCache, counting, fakeImages, "fake", fake, sets);
                long t2 = System.nanoTime();
                FrechetResult r = FrechetDistance.compute(realFeatures.stats(), fakeFeatures.stats(), policy, frechet.eps);
                long t3 = System.nanoTime();
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("fd", r.fd());
                report.put("metric", switch (features.toLowerCase(java.util.Locale.ROOT)) {
                    case "inception" -> "FID (Inception-v3 pool3)";
                    case "dinov2" -> "FD-DINOv2 (CLS of the last layer norm)";
                    default -> "FD in " + features + " image-embedding space";
                });
                report.put("n_real", r.nReal());
                report.put("n_fake", r.nFake());
                report.put("dim", r.dim());
                report.put("features", features);
                report.put("extractor", network.name());
                report.put("resize", resize.cliName());
                report.put("resize_filter", network.resizeFilter());
                frechet.report(report, r);
                report.put("sets", sets);
                Map<String, Object> timing = new LinkedHashMap<>();
                timing.put("load_seconds", (t1 - t0) / 1e9);
                timing.put("features_seconds", (t2 - t1) / 1e9);
                timing.put("fd_seconds", (t3 - t2) / 1e9);
                timing.put("images_extracted", counting.images());
                timing.put("preprocess_seconds_per_image", network.preprocessSecondsPerImage());
                timing.put("network_seconds_per_image", network.forwardSecondsPerImage());
                report.put("timing", timing);
                return report;
            }
        }

        private static FeatureMatrix features(FeatureCache cache, CountingExtractor extractor, List<Path> images,
                                              String which, Path dir, Map<String, Object> sets) throws Exception {
            int before = extractor.images();
            FeatureMatrix f = cache == null ? extractor.extract(images) : cache.features(extractor, images);
            Map<String, Object> set = new LinkedHashMap<>();
            set.put("dir", dir.toString());
            set.put("images", images.size());
            set.put("cache", cache == null ? "off" : extractor.images() == before ? "hit" : "computed");
            sets.put(which, set);
            return f;
        }
    }

    /** The shared feature options as a picocli mixin. */
    static final class FeatureOptionsMixin {
        @Option(names = "--features", defaultValue = "inception", paramLabel = "NAME",
                description = "inception (FID), dinov2 (FD-DINOv2), clip, tiny-clip (default ${DEFAULT-VALUE})")
        String features;

        @Option(names = "--weights", paramLabel = "PATH", description = "the network's weights: inception a safetensors "
                + "file, dinov2 a Dinov2Model folder or file, clip a CLIP folder; tiny-clip defaults to "
                + "models/pancap-tiny/image_encoder")
        Path weights;

        @Option(names = "--resize", defaultValue = "legacy", paramLabel = "MODE",
                description = "legacy (the reference implementation's resize) or clean (PIL bicubic in float, clean-fid); "
                        + "default ${DEFAULT-VALUE}")
        String resize;
    }

    @Command(name = "features", description = "Export the features of an image folder (recursive, PNG/JPEG; rows in "
            + "relative-path order) as safetensors, tensor \"features\" [N, D], for eval fd; prints JSON.")
    static final class Features implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DIR", description = "image folder")
        Path dir;

        @picocli.CommandLine.Mixin
        FeatureOptionsMixin options;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "features file (.safetensors)")
        Path out;

        @Override
        public Integer call() throws Exception {
            ResizeMode resize = ResizeMode.parse(options.resize);
            List<Path> images = ImageFolder.list(dir, "DIR");
            try (NDManager root = NDManager.newBaseManager();
                 NetworkExtractor network = Extractors.open(options.features, options.weights, resize, root)) {
                long t0 = System.nanoTime();
                FeatureMatrix f = network.extract(images);
                long t1 = System.nanoTime();
                List<String> names = new ArrayList<>();
                images.forEach(p -> names.add(ImageFolder.relative(dir, p)));
                Map<String, String> metadata = new LinkedHashMap<>();
                metadata.put("extractor", network.name());
                metadata.put("resize_filter", network.resizeFilter());
                metadata.put("images", Integer.toString(images.size()));
                metadata.put("image_paths", CliJson.PRETTY.writer().without(
                        com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(names));
                if (out.getParent() != null) {
                    Files.createDirectories(out.getParent());
                }
                FeatureFiles.write(out, f, metadata);
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("out", out.toString());
                report.put("images", f.rows());
                report.put("dim", f.cols());
                report.put("features", options.features);
                report.put("extractor", network.name());
                report.put("resize", resize.cliName());
                report.put("resize_filter", network.resizeFilter());
                report.put("seconds", (t1 - t0) / 1e9);
                report.put("preprocess_seconds_per_image", network.preprocessSecondsPerImage());
                report.put("network_seconds_per_image", network.forwardSecondsPerImage());
                CliJson.print(spec, report);
            }
            return Main.EXIT_OK;
        }
    }

    @Command(name = "clipscore", description = "CLIPScore of images against captions, both conventions labelled "
            + "(torchmetrics 100*cos; Hessel et al. 2.5*max(cos, 0)), per image and mean; long captions: tags stripped, "
            + "split into sentences and averaged, truncation counted; prints JSON.")
    static final class ClipScore implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--images", paramLabel = "DIR", description = "image folder (with --captions)")
        Path images;

        @Option(names = "--captions", paramLabel = "FILE|DIR", description = "JSON lines {\"image\": path under --images, "
                + "\"caption\": text}, or a folder of <image stem>.txt captions")
        Path captions;

        @Option(names = "--geneval", paramLabel = "DIR", description = "a GenEval folder (<00000>/metadata.jsonl, "
                + "samples/NNNN.png): each image against its prompt")
        Path geneval;

        @Option(names = "--model", defaultValue = "tiny-clip", paramLabel = "M",
                description = "tiny-clip (models/pancap-tiny) or a CLIP folder (transformers CLIPModel, or image_encoder/ + "
                        + "text_encoder_2/ + tokenizer_2/); default ${DEFAULT-VALUE}")
        String model;

        @Option(names = "--text-tower", defaultValue = "text_encoder_2", paramLabel = "T",
                description = "for a pancap-tiny-style folder: text_encoder_2 (bigG-class) or text_encoder (CLIP-L-class); "
                        + "default ${DEFAULT-VALUE}")
        String textTower;

        @Option(names = "--resize", defaultValue = "legacy", paramLabel = "MODE", description = "legacy (openai/CLIP) or clean")
        String resize;

        @Option(names = "--out", paramLabel = "FILE", description = "write the JSON (with every image) here; stdout then gets "
                + "the summary only")
        Path out;

        @Override
        public Integer call() throws Exception {
            List<CaptionedImages.Item> items;
            if (geneval != null) {
                if (captions != null || images != null) {
                    throw new BadInputException("--geneval", "reads images and prompts from the GenEval folder; "
                            + "do not combine it with --images / --captions");
                }
                items = CaptionedImages.fromGeneval(geneval);
            } else {
                if (images == null || captions == null) {
                    throw new BadInputException("--images/--captions", "give --images DIR --captions FILE|DIR, or --geneval DIR");
                }
                items = Files.isDirectory(captions) ? CaptionedImages.fromTextFolder(captions, images)
                        : CaptionedImages.fromJsonl(captions, images);
            }
            ResizeMode mode = ResizeMode.parse(resize);
            ClipModelFolder folder = ClipModelFolder.resolve(model, textTower);
            Map<String, Object> report = report(items, folder, mode);
            if (out != null) {
                writeJson(out, report);
                report.put("per_image", "written to " + out);
            }
            CliJson.print(spec, report);
            return Main.EXIT_OK;
        }

        /** The report of {@link #call()} with every image under {@code per_image} (also the server's evaluate job's). */
        static Map<String, Object> report(List<CaptionedImages.Item> items, ClipModelFolder folder, ResizeMode mode)
                throws Exception {
            long t0 = System.nanoTime();
            try (NDManager root = NDManager.newBaseManager();
                 ClipImageExtractor imageTower = ClipImageExtractor.load(folder.imageTower(), folder.label(), mode,
                         folder.normalization(), root, 8);
                 ClipTextEmbedder text = ClipTextEmbedder.load(folder.textTower(), folder.tokenizer(), root)) {
                if (imageTower.dim() != text.dim()) {
                    throw new BadInputException(folder.textTower().toString(), "text projection " + text.dim()
                            + " differs from the image projection " + imageTower.dim() + " of " + folder.imageTower());
                }
                ClipScoreRun.Result r = ClipScoreRun.score(items, imageTower, text);
                long t1 = System.nanoTime();
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("model", folder.label());
                report.put("image_tower", folder.imageTower().toString());
                report.put("text_tower", folder.textTower().toString());
                report.put("image_features", imageTower.name());
                report.put("resize_filter", imageTower.resizeFilter());
                report.put("images", items.size());
                Map<String, Object> scores = new LinkedHashMap<>();
                scores.put("torchmetrics", summary(r.torchmetrics(), r.images().stream()
                        .mapToDouble(p -> p.torchmetrics().cosine()).average().orElse(Double.NaN)));
                scores.put("hessel", summary(r.hessel(), r.images().stream()
                        .mapToDouble(p -> p.hessel().cosine()).average().orElse(Double.NaN)));
                report.put("clipscore", scores);
                Map<String, Object> policy = new LinkedHashMap<>();
                policy.put("policy", "grounding tags <ids: phrase> replaced by the phrase; a caption whose tokens (prefix, "
                        + "start and end included) fit the " + text.maxTokens() + "-token context is scored whole; a "
                        + "longer one is split into sentences and the per-sentence cosines averaged; a sentence still too "
                        + "long is truncated (first " + (text.maxTokens() - 2) + " tokens) and counted");
                policy.put("captions_split_torchmetrics", r.torchmetrics().captionsSplit());
                policy.put("captions_split_hessel", r.hessel().captionsSplit());
                policy.put("sentences_truncated_torchmetrics", r.torchmetrics().piecesTruncated());
                policy.put("sentences_truncated_hessel", r.hessel().piecesTruncated());
                policy.put("tokens_dropped_torchmetrics", r.torchmetrics().droppedTokens());
                policy.put("tokens_dropped_hessel", r.hessel().droppedTokens());
                report.put("long_captions", policy);
                report.put("seconds", (t1 - t0) / 1e9);
                List<Object> perImage = new ArrayList<>();
                for (ClipScoreRun.PerImage p : r.images()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("image", p.item().id());
                    row.put("torchmetrics", 100 * p.torchmetrics().cosine());
                    row.put("hessel", 2.5 * Math.max(p.hessel().cosine(), 0));
                    row.put("cos_torchmetrics", p.torchmetrics().cosine());
                    row.put("cos_hessel", p.hessel().cosine());
                    row.put("scored_whole", p.torchmetrics().scoredWhole());
                    row.put("pieces", p.torchmetrics().pieces());
                    row.put("truncated_pieces", p.torchmetrics().truncatedPieces());
                    row.put("dropped_tokens", p.torchmetrics().droppedTokens());
                    row.put("hessel_pieces", p.hessel().pieces());
                    row.put("hessel_truncated_pieces", p.hessel().truncatedPieces());
                    row.put("hessel_dropped_tokens", p.hessel().droppedTokens());
                    perImage.add(row);
                }
                report.put("per_image", perImage);
                return report;
            }
        }

        /** The corpus score with its label and the plain mean cosine (torchmetrics clamps only after averaging). */
        private static Map<String, Object> summary(ClipScoreSummary s, double meanCosine) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", s.label());
            m.put("score", s.score());
            m.put("mean_cosine", meanCosine);
            m.put("images", s.images());
            return m;
        }
    }
}
