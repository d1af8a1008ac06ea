package studio.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import studio.core.device.Torch;

class KernelArchiveTest {

    private static final String TINY_SOURCE = String.join("\n",
            "class Tiny(Module):",
            "  __parameters__ = []",
            "  __buffers__ = []",
            "  training : bool",
            "  def forward(self: __torch__.Tiny,",
            "    x: Tensor) -> Tensor:",
            "    return x",
            "  def twice_plus(self: __torch__.Tiny,",
            "    x: Tensor,",
            "    c: float) -> Tensor:",
            "    return torch.add(torch.mul(x, 2), c)",
            "");

    @Test
    void archiveHoldsTheFourRecordsTorchJitSaveWrites() throws IOException {
        byte[] zip = TorchScriptArchive.build("tiny", "Tiny", TINY_SOURCE);
        List<String> names = new ArrayList<>();
        String version = null;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
                if (e.getName().endsWith("version")) {
                    version = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                }
            }
        }
        assertEquals(List.of("tiny/data.pkl", "tiny/constants.pkl", "tiny/code/__torch__.py",
                "tiny/.data/version"), names);
        assertEquals("10\n", version);
    }

    @Test
    void modulePickleMatchesWhatTorchWritesForTheTrainingFlag() {
        // torch 1.13's k/data.pkl minus its memo PUTs (q\x00..) and the _is_full_backward_hook key.
        byte[] expected = "\u0080\u0002c__torch__\nTiny\n)\u0081}(X\u0008\u0000\u0000\u0000training\u0088ub."
                .getBytes(StandardCharsets.ISO_8859_1);
        assertArrayEquals(expected, TorchScriptArchive.moduleObjectPickle("Tiny"));
        assertArrayEquals(new byte[] {(byte) 0x80, 2, ')', '.'}, TorchScriptArchive.emptyTuplePickle());
    }

    @Test
    void libtorchLoadsTheArchiveAndRunsANamedMethod() throws IOException {
        byte[] zip = TorchScriptArchive.build("tiny", "Tiny", TINY_SOURCE);
        try (PtNDManager manager = (PtNDManager) NDManager.newBaseManager(Device.cpu(), Torch.ENGINE_NAME);
                PtSymbolBlock module = JniUtils.loadModule(manager, new ByteArrayInputStream(zip), true, false)) {
            NDArray x = manager.create(new float[] {1f, -2f, 3f});
            try (IValue in = IValue.from((ai.djl.pytorch.engine.PtNDArray) x);
                    IValue c = IValue.from(0.5);
                    IValue out = IValueUtils.runMethod(module, "twice_plus", in, c)) {
                assertArrayEquals(new float[] {2.5f, -3.5f, 6.5f}, out.toTensor(manager).toFloatArray());
            }
        }
    }

    @Test
    void projectKernelModuleCompilesOnCpu() {
        Kernels kernels = Kernels.on(Device.cpu());
        assertEquals(Device.cpu(), kernels.device());
        assertTrue(Kernels.source().contains("scaled_dot_product_attention"));
        // Same instance per device: the module is built once.
        assertTrue(kernels == Kernels.on(Device.cpu()));
    }
}
