package studio.captioner.pancap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.captioner.Captioner;
import studio.captioner.Captioners;
import studio.captioner.GroundedResult;
import studio.core.data.DataPng;
import studio.core.data.world.WorldGenerator;
import studio.core.data.world.WorldSample;
import studio.core.device.Torch;

class PanCaperTest {
    @TempDir
    Path tmp;

    private static NDManager manager() {
        return NDManager.newBaseManager(ai.djl.Device.cpu(), Torch.engine().getEngineName());
    }

    @Test
    void forwardShapes() {
        PancaperConfig c = PancaperTrainer.modelConfig(TinyModels.trainConfig(tmp, 1));
        try (NDManager m = manager()) {
            PanCaper model = PanCaper.init(c, m, 1);
            try (NDManager scope = m.newSubManager()) {
                PanCaper.Segmentation s = model.segment(scope.randomNormal(new Shape(2, 3, 32, 32)));
                assertEquals(new Shape(2, 64, 16), s.features().memory().getShape()); // G² = (32/4)², D
                assertEquals(new Shape(2, 8, 32 * 32), s.features().pixels().getShape());
                assertEquals(3, s.predictions().size()); // the bare queries, then one per decoder layer
                assertEquals(new Shape(2, 8, c.classes() + 1), s.last().classLogits().getShape());
                assertEquals(new Shape(2, 8, 32 * 32), s.last().maskLogits().getShape());
                List<WorldSample> samples = List.of(WorldGenerator.sample(0, 0, 32), WorldGenerator.sample(0, 1, 32));
                WorldBatch b = WorldBatch.of(samples, c, model.vocabulary(), scope);
                NDArray pooled = SegmentPooling.pool(b.masks(), s.features().pixels(), b.image().reshape(2, 3, 1024), b.geometry());
                long k = b.masks().getShape().get(1);
                assertEquals(new Shape(2, k, 8 + SegmentPooling.EXTRA), pooled.getShape());
                NDArray slots = model.captionDecoder.segments(pooled, b.classes());
                CaptionDecoder.Output out = model.captionDecoder.forward(b.tokens(), b.pointedIn(), slots, b.valid());
                long t = b.tokens().getShape().get(1);
                assertEquals(new Shape(2, t, c.vocab().size()), out.tokenLogits().getShape());
                assertEquals(new Shape(2, t, k), out.pointerLogits().getShape());
            }
        }
    }

    @Test
    void savedModelLoadsStrictlyAndGivesIdenticalOutputs() throws Exception {
        PancaperConfig c = PancaperTrainer.modelConfig(TinyModels.trainConfig(tmp, 1));
        try (NDManager m = manager()) {
            PanCaper a = PanCaper.init(c, m, 7);
            a.save(tmp.resolve("model"));
            PanCaper b = PanCaper.load(tmp.resolve("model"), m);
            assertEquals(a.parameters().keySet(), b.parameters().keySet());
            try (NDManager scope = m.newSubManager()) {
                NDArray x = scope.randomNormal(new Shape(1, 3, 32, 32));
                assertArrayEquals(a.segment(x).last().maskLogits().toFloatArray(), b.segment(x).last().maskLogits().toFloatArray());
                assertArrayEquals(a.segment(x).last().classLogits().toFloatArray(), b.segment(x).last().classLogits().toFloatArray());
            }
        }
    }

    @Test
    void registeredAsCaptionerKindAndReturnsAWellFormedResult() throws Exception {
        PancaperConfig c = PancaperTrainer.modelConfig(TinyModels.trainConfig(tmp, 1));
        try (NDManager m = manager()) {
            PanCaper.init(c, m, 3).save(tmp.resolve("model"));
        }
        WorldSample s = WorldGenerator.sample(5, 0, 32);
        try (Captioner cap = Captioners.open("pancap:" + tmp.resolve("model"))) {
            assertTrue(cap instanceof PancapCaptioner);
            GroundedResult r = cap.caption(DataPng.decode(s.imagePng(), s.fileName()));
            assertEquals(32, r.mask().width());
            List<Long> ids = new ArrayList<>();
            r.segments().forEach(seg -> ids.add(seg.id()));
            for (var phrase : r.parsedCaption("test").phrases()) {
                assertTrue(ids.containsAll(phrase.segmentIds()), "tags name predicted segments: " + r.caption());
            }
            // a 48 px image is resized in and the mask comes back at 48 px
            GroundedResult big = cap.caption(DataPng.decode(WorldGenerator.sample(5, 0, 48).imagePng(), "48"));
            assertEquals(48, big.mask().width());
        }
    }

    /** The committed model (run from the module folder: ../models/...) still segments held-out world images well. */
    @Test
    void committedModelSegmentsHeldOutWorldImages() throws Exception {
        Path folder = Path.of("..").resolve(Captioners.PANCAP_TINY_DIR);
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(folder.resolve(PanCaper.WEIGHTS)));
        try (PancapCaptioner cap = PancapCaptioner.open("committed", folder)) {
            var pq = new studio.captioner.metrics.PanopticQuality(cap.model().categoriesById());
            for (int i = 0; i < 16; i++) {
                WorldSample s = WorldGenerator.sample(2000, i, 64);
                GroundedResult r = cap.caption(DataPng.decode(s.imagePng(), s.fileName()));
                var gt = studio.core.data.panoptic.IdMask.fromRgb(DataPng.decode(s.maskPng(), s.fileName()));
                pq.add(new studio.captioner.metrics.PanopticQuality.ImagePair(s.fileName(), gt, s.annotation().segments(),
                        r.mask(), r.segmentInfos()));
                r.parsedCaption(s.fileName()); // well-formed tags
            }
            assertTrue(pq.average(null).pq() > 0.8, "PQ " + pq.average(null).pq());
        }
    }
}
