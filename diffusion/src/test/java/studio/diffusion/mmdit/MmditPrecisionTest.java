package studio.diffusion.mmdit;

import static studio.diffusion.Fixtures.assertClose;
import static studio.diffusion.Fixtures.get;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.diffusion.Fixtures;

/**
 * The half-precision compute paths (weights cast on load, sinusoid in fp32, output cast back) against the
 * fp32 reference. Loose bounds: these are rounding checks that catch a wrong cast or layout, not parity.
 */
class MmditPrecisionTest {

    @ParameterizedTest
    @CsvSource({"sd35m-tiny, BF16, 0.25", "sd3-tiny, F16, 0.03"})
    void halfPrecisionForwardStaysNearTheFp32Reference(String variant, Precision precision, double tol) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); SafeTensors io = Fixtures.open(variant + "/forward.safetensors")) {
            SD3Transformer model = SD3Transformer.load(Fixtures.mmdit(variant + "/transformer"), m, precision);
            NDArray out = model.forward(model.toCompute(get(io, "hidden_states", m)), get(io, "timestep", m),
                    model.toCompute(get(io, "encoder_hidden_states", m)), model.toCompute(get(io, "pooled_projections", m)));
            assertClose(variant + " forward in " + precision, model.toF32(out), get(io, "sample", m), tol);
        }
    }
}
