package studio.core.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a TorchScript archive (what {@code torch.jit.save} produces) for a module that has no
 * parameters, buffers or constants, only TorchScript source. libtorch compiles that source when it
 * loads the archive, so no Python is needed to build it.
 *
 * <p>Layout, as written by torch 1.13 for a parameter-free scripted module (checked against
 * {@code torch.jit.save}; see ARCHITECTURE.md decision 3):
 *
 * <pre>
 *   NAME/data.pkl            pickle (protocol 2) of the module object: __torch__.CLASS with {"training": True}
 *   NAME/constants.pkl       pickle of an empty tuple: 80 02 29 2E
 *   NAME/code/__torch__.py   TorchScript source of "class CLASS(Module): ..."
 *   NAME/.data/version       file-format version as ASCII "10\n"
 * </pre>
 *
 * The version must be at least 10: with older versions libtorch runs its operator upgraders
 * (with 3, {@code torch.gelu(x, approximate="tanh")} fails to load). libtorch 2.7 reads at most 10.
 * Entries are STORED (not deflated) so the zip has no data descriptors.
 */
public final class TorchScriptArchive {

    /** File-format version libtorch 2.x writes and reads without upgraders. */
    public static final int FILE_FORMAT_VERSION = 10;

    private TorchScriptArchive() {}

    /**
     * @param archiveName top-level folder inside the zip (any identifier, e.g. "kernels")
     * @param className TorchScript class name the source defines (e.g. "Kernels")
     * @param source the TorchScript source of {@code code/__torch__.py}
     * @return the archive bytes, ready for {@code JniUtils.loadModule(manager, inputStream, ...)}
     */
    public static byte[] build(String archiveName, String className, String source) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            putStored(zip, archiveName + "/data.pkl", moduleObjectPickle(className));
            putStored(zip, archiveName + "/constants.pkl", emptyTuplePickle());
            putStored(zip, archiveName + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            putStored(zip, archiveName + "/.data/version",
                    (FILE_FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("writing an in-memory zip cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static void putStored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        entry.setCrc(crc.getValue());
        entry.setTime(315532800000L); // 1980-01-01, the zip epoch: reproducible bytes
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** Pickle protocol 2 opcodes (CPython Lib/pickletools.py), only those used here. */
    private static final byte PROTO = (byte) 0x80;
    private static final byte GLOBAL = 'c';
    private static final byte EMPTY_TUPLE = ')';
    private static final byte NEWOBJ = (byte) 0x81;
    private static final byte EMPTY_DICT = '}';
    private static final byte MARK = '(';
    private static final byte BINUNICODE = 'X';
    private static final byte NEWTRUE = (byte) 0x88;
    private static final byte SETITEMS = 'u';
    private static final byte BUILD = 'b';
    private static final byte STOP = '.';

    /**
     * {@code __torch__.CLASS.__new__()} then {@code __setstate__({"training": True})}: the object
     * libtorch's unpickler turns into the module, setting each attribute the class declares
     * ({@code training : bool} is the only one our source declares).
     */
    static byte[] moduleObjectPickle(String className) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(PROTO);
        out.write(2);
        out.write(GLOBAL);
        writeAscii(out, "__torch__\n" + className + "\n");
        out.write(EMPTY_TUPLE);
        out.write(NEWOBJ);
        out.write(EMPTY_DICT);
        out.write(MARK);
        writeBinUnicode(out, "training");
        out.write(NEWTRUE);
        out.write(SETITEMS);
        out.write(BUILD);
        out.write(STOP);
        return out.toByteArray();
    }

    static byte[] emptyTuplePickle() {
        return new byte[] {PROTO, 2, EMPTY_TUPLE, STOP};
    }

    /** BINUNICODE: 'X', 4-byte little-endian length, UTF-8 bytes. */
    private static void writeBinUnicode(ByteArrayOutputStream out, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.write(BINUNICODE);
        for (int i = 0; i < 4; i++) {
            out.write((utf8.length >>> (8 * i)) & 0xFF);
        }
        out.write(utf8, 0, utf8.length);
    }

    private static void writeAscii(ByteArrayOutputStream out, String s) {
        byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
        out.write(ascii, 0, ascii.length);
    }
}
