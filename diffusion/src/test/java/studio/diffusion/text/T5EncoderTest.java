package studio.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static studio.diffusion.Fixtures.assertClose;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;

/** T5 encoder parity with text_reference.py (sharded F32 folder) and the bucket table of SD3.md §4.5. */
class T5EncoderTest {

    @Test
    void forwardMatchesReference() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             SafeTensors io = SafeTensors.open(TextFixtures.path("forward_t5.safetensors"))) {
            T5Encoder model = T5Encoder.load(TextFixtures.tiny().resolve("text_encoder_3"), m, Precision.F32);
            assertEquals(List.of(), model.loadReport().unused());
            assertClose("t5 last_hidden", model.forward(TextFixtures.ids(io, "input_ids", m)),
                    TextFixtures.floats(io, "last_hidden", m), 1e-4);
        }
    }

    /** SD3.md §4.5's table for T5-XXL (32 buckets, max distance 128), both directions. */
    @Test
    void bucketsMatchTheSd3Table() {
        int[][] ranges = {{0, 7, -1}, {8, 11, 8}, {12, 15, 9}, {16, 22, 10}, {23, 31, 11}, {32, 45, 12},
            {46, 63, 13}, {64, 90, 14}, {91, 600, 15}};
        for (int[] r : ranges) {
            for (int d = r[0]; d <= r[1]; d++) {
                int expected = r[2] < 0 ? d : r[2];
                assertEquals(expected, T5Encoder.bucket(-d, 32, 128), "key " + d + " before the query");
                if (d > 0) {
                    assertEquals(expected + 16, T5Encoder.bucket(d, 32, 128), "key " + d + " after the query");
                }
            }
        }
    }
}
