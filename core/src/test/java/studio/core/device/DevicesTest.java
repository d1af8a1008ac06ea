package studio.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import studio.core.BadInputException;

class DevicesTest {

    @Test
    void cpuParsesCaseInsensitively() {
        assertEquals(Device.cpu(), Devices.parse("cpu"));
        assertEquals(Device.cpu(), Devices.parse(" CPU "));
        assertEquals("cpu", Devices.format(Devices.parse("cpu")));
    }

    @Test
    void unknownDeviceNamesTheFieldAndTheChoices() {
        for (String bad : new String[] {"gpu", "cuda:", "cuda:x", "cuda:-1", "mps", "", "cpu:0"}) {
            BadInputException e = assertThrows(BadInputException.class, () -> Devices.parse(bad, "--device"));
            assertEquals("--device", e.where());
            assertTrue(e.getMessage().contains("expected cpu, cuda or cuda:N"), e.getMessage());
        }
        assertThrows(BadInputException.class, () -> Devices.parse(null));
    }

    @Test
    void cudaBeyondTheVisibleGpusIsBadInput() {
        int gpus = Torch.gpuCount();
        BadInputException e = assertThrows(BadInputException.class, () -> Devices.parse("cuda:" + gpus));
        assertTrue(e.getMessage().contains("reports " + gpus + " GPU(s)"), e.getMessage());
        if (gpus == 0) {
            assertThrows(BadInputException.class, () -> Devices.parse("cuda"));
        } else {
            assertEquals(Device.gpu(0), Devices.parse("cuda"));
            assertEquals("cuda:0", Devices.format(Devices.parse("cuda:0")));
        }
    }

    @Test
    void precisionAliases() {
        for (String s : new String[] {"f32", "fp32", "float32", "FP32"}) {
            assertEquals(Precision.F32, Precision.parse(s));
        }
        for (String s : new String[] {"f16", "fp16", "float16", "half"}) {
            assertEquals(Precision.F16, Precision.parse(s));
        }
        for (String s : new String[] {"bf16", "bfloat16", " BF16"}) {
            assertEquals(Precision.BF16, Precision.parse(s));
        }
        BadInputException e = assertThrows(BadInputException.class, () -> Precision.parse("int8", "dtype"));
        assertEquals("dtype", e.where());
        assertEquals(Precision.BF16, Precision.fromScalarTypeCode(15));
        assertEquals(null, Precision.fromScalarTypeCode(0));
    }

    @Test
    void torchReportsThePinnedVersionsOffline() {
        assertEquals("2.7.1", Torch.libtorchVersion());
        assertEquals("0.35.1", Torch.djlVersion());
        assertEquals("true", Torch.versions().get("offline"));
    }
}
