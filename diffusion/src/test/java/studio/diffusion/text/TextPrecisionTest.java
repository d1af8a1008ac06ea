package studio.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import studio.core.device.Precision;
import studio.core.ops.Kernels;
import studio.core.safetensors.SafeTensors;
import studio.diffusion.Fixtures;

/**
 * The encoders in bf16 and f16 stay close to the fp32 reference (relative to the output scale), and
 * PromptEncoder's f16 request runs T5 in bf16 (SD3.md §4.5), giving finite values.
 */
class TextPrecisionTest {

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"BF16", "F16"})
    void reducedPrecisionStaysNearTheReference(Precision p) throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             SafeTensors clip = SafeTensors.open(TextFixtures.path("forward_clip_g.safetensors"));
             SafeTensors t5io = SafeTensors.open(TextFixtures.path("forward_t5.safetensors"))) {
            ClipTextModel g = ClipTextModel.load(TextFixtures.tiny().resolve("text_encoder_2"), m, p);
            ClipTextModel.Output o = g.forward(TextFixtures.ids(clip, "input_ids", m));
            check(p + " clip_g penultimate", o.penultimate(), TextFixtures.floats(clip, "penultimate", m));
            check(p + " clip_g pooled", o.pooled(), TextFixtures.floats(clip, "pooled", m));
            T5Encoder t5 = T5Encoder.load(TextFixtures.tiny().resolve("text_encoder_3"), m, p);
            check(p + " t5", t5.forward(TextFixtures.ids(t5io, "input_ids", m)), TextFixtures.floats(t5io, "last_hidden", m));
        }
    }

    @org.junit.jupiter.api.Test
    void f16PromptEncoderRunsT5InBf16AndStaysNearTheReference() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             SafeTensors io = SafeTensors.open(TextFixtures.path("conditioning.safetensors"))) {
            String prompt = new com.fasterxml.jackson.databind.ObjectMapper().readTree(io.metadata().get("long"))
                    .get("prompt").asText();
            try (PromptEncoder enc = PromptEncoder.load(TextFixtures.tiny(), m, Precision.F16, new TextOptions(64, 4));
                 Conditioning c = enc.encode(Prompts.of(prompt), m)) {
                check("F16 encoder context", c.context(), TextFixtures.floats(io, "long.context", m));
                check("F16 encoder pooled", c.pooled(), TextFixtures.floats(io, "long.pooled", m));
            }
        }
    }

    private static void check(String what, NDArray actual, NDArray expected) {
        NDArray a = Kernels.of(actual).cast(actual, Precision.F32);
        float err = Fixtures.maxAbsDiff(a, expected);
        float scale = expected.abs().max().getFloat();
        System.out.printf("precision %-28s max abs err %.3e (output max %.2f)%n", what, err, scale);
        assertTrue(err <= 0.05 * scale, what + ": " + err + " vs scale " + scale);
    }
}
