package studio.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;

/** Writer then reader: every decodable dtype, metadata, layout, and a file written by PyTorch. */
class SafeTensorsRoundTripTest {
    @TempDir
    Path dir;

    private static byte[] littleEndian(int elementBytes, long... values) {
        ByteBuffer out = ByteBuffer.allocate(elementBytes * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (elementBytes) {
                case 1 -> out.put((byte) v);
                case 2 -> out.putShort((short) v);
                case 4 -> out.putInt((int) v);
                default -> out.putLong(v);
            }
        }
        return out.array();
    }

    @Test
    void integerDtypesRoundTripAsLongsAndFloats() throws Exception {
        Map<DType, long[]> values = Map.of(
                DType.BOOL, new long[] {1, 0, 1},
                DType.U8, new long[] {0, 255, 128},
                DType.I8, new long[] {-128, 127, -1},
                DType.U16, new long[] {0, 65535, 40000},
                DType.I16, new long[] {-32768, 32767, -2},
                DType.U32, new long[] {0, 4294967295L, 3000000000L},
                DType.I32, new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE, -3},
                DType.I64, new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -4},
                DType.U64, new long[] {0, Long.MAX_VALUE, 5});
        SafeTensorsWriter writer = new SafeTensorsWriter();
        values.forEach((dtype, v) -> writer.add("t." + dtype, dtype, new long[] {3}, littleEndian(dtype.bits() / 8, v)));
        Path file = dir.resolve("ints.safetensors");
        writer.write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(values.size(), st.tensors().size());
            for (Map.Entry<DType, long[]> e : values.entrySet()) {
                String name = "t." + e.getKey();
                assertArrayEquals(e.getValue(), st.readLongs(name), name);
                if (e.getKey().decodesToFloat()) {
                    float[] floats = st.readFloats(name);
                    for (int i = 0; i < 3; i++) {
                        assertEquals((float) e.getValue()[i], floats[i], name);
                    }
                }
            }
        }
    }

    @Test
    void floatDtypesRoundTrip() throws Exception {
        float[] values = {0f, -0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        double[] doubles = {Math.PI, -1e300, Double.MIN_VALUE, 0.1};
        ByteBuffer f64 = ByteBuffer.allocate(8 * doubles.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : doubles) {
            f64.putDouble(d);
        }
        Path file = dir.resolve("floats.safetensors");
        new SafeTensorsWriter()
                .addF32("f32", new long[] {2, 5}, values)
                .addF16("f16", new long[] {10}, values)
                .addBF16("bf16", new long[] {10}, values)
                .add("f64", DType.F64, new long[] {4}, f64.flip())
                .write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertArrayEquals(values, st.readFloats("f32"));
            assertArrayEquals(values, st.readFloats("f16"), "every value is exactly representable in F16");
            float[] bf16 = st.readFloats("bf16");
            for (int i = 0; i < values.length; i++) {
                assertEquals(FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(values[i])), bf16[i]);
            }
            assertEquals(0x7f800000, Float.floatToIntBits(bf16[7]));
            float[] f64Read = st.readFloats("f64");
            for (int i = 0; i < doubles.length; i++) {
                assertEquals((float) doubles[i], f64Read[i]);
            }
            assertArrayEquals(new long[] {2, 5}, st.info("f32").shape());
        }
    }

    @Test
    void everyHalfSurvivesTheRoundTripThroughFloat() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            float f = FloatFormats.halfToFloat((short) bits);
            short back = FloatFormats.floatToHalf(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(FloatFormats.halfToFloat(back)), Integer.toHexString(bits));
            } else {
                assertEquals(bits, back & 0xffff, Integer.toHexString(bits));
            }
        }
    }

    @Test
    void halfRoundsToNearestEvenAtEveryMidpoint() {
        for (int bits = 0; bits < 0x7bff; bits++) {
            float lo = FloatFormats.halfToFloat((short) bits);
            float hi = FloatFormats.halfToFloat((short) (bits + 1));
            float mid = (float) (((double) lo + hi) / 2); // exact: halves have 11 significant bits
            int even = (bits & 1) == 0 ? bits : bits + 1;
            assertEquals(even, FloatFormats.floatToHalf(mid), "tie above " + Integer.toHexString(bits));
            assertEquals(bits, FloatFormats.floatToHalf(Math.nextDown(mid)));
            assertEquals(bits + 1, FloatFormats.floatToHalf(Math.nextUp(mid)));
            assertEquals((short) (0x8000 | even), FloatFormats.floatToHalf(-mid));
        }
    }

    @Test
    void halfSpecialValues() {
        assertEquals(0x0001, FloatFormats.floatToHalf(0x1p-24f));
        assertEquals(0x0000, FloatFormats.floatToHalf(0x1p-25f), "tie between 0 and the least subnormal: even");
        assertEquals(0x0001, FloatFormats.floatToHalf(Math.nextUp(0x1p-25f)));
        assertEquals(0x0002, FloatFormats.floatToHalf(0x1.8p-24f), "tie between 1 and 2 units: even");
        assertEquals(0x03ff, FloatFormats.floatToHalf(0x1.ff8p-15f));
        assertEquals(0x0400, FloatFormats.floatToHalf(0x1.ffcp-15f), "largest subnormal rounds up to the least normal");
        assertEquals(0x7bff, FloatFormats.floatToHalf(65519.996f));
        assertEquals(0x7c00, FloatFormats.floatToHalf(65520f), "halfway to 2^16 rounds to infinity");
        assertEquals((short) 0xfc00, FloatFormats.floatToHalf(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x8000, FloatFormats.floatToHalf(-Float.MIN_VALUE));
        assertTrue(Float.isNaN(FloatFormats.halfToFloat(FloatFormats.floatToHalf(Float.intBitsToFloat(0x7f800001)))));
        assertEquals(-0x1p-24f, FloatFormats.halfToFloat((short) 0x8001));
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(0x3f80, FloatFormats.floatToBf16(Float.intBitsToFloat(0x3f808000)), "tie, even stays");
        assertEquals(0x3f82, FloatFormats.floatToBf16(Float.intBitsToFloat(0x3f818000)), "tie, odd goes up");
        assertEquals(0x3f81, FloatFormats.floatToBf16(Float.intBitsToFloat(0x3f808001)));
        assertEquals(0x7f80, FloatFormats.floatToBf16(Float.MAX_VALUE), "overflow rounds to infinity");
        assertEquals(0x0001, FloatFormats.floatToBf16(Float.intBitsToFloat(0x00008001)), "subnormal");
        assertTrue(Float.isNaN(FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(Float.intBitsToFloat(0x7f800001)))));
        assertEquals(-1.5f, FloatFormats.bf16ToFloat((short) 0xbfc0));
    }

    @Test
    void fp8FollowsTheOcpSpec() {
        assertEquals(448f, FloatFormats.e4m3ToFloat((byte) 0x7e));
        assertEquals(0x1p-9f, FloatFormats.e4m3ToFloat((byte) 0x01));
        assertEquals(0x1p-6f, FloatFormats.e4m3ToFloat((byte) 0x08));
        assertEquals(-1.125f, FloatFormats.e4m3ToFloat((byte) 0xb9));
        assertEquals(240f, FloatFormats.e4m3ToFloat((byte) 0x77), "E4M3 has no infinities: 0x77 is finite");
        assertTrue(Float.isNaN(FloatFormats.e4m3ToFloat((byte) 0x7f)));
        assertTrue(Float.isNaN(FloatFormats.e4m3ToFloat((byte) 0xff)));
        assertEquals(57344f, FloatFormats.e5m2ToFloat((byte) 0x7b));
        assertEquals(0x1p-16f, FloatFormats.e5m2ToFloat((byte) 0x01));
        assertEquals(Float.POSITIVE_INFINITY, FloatFormats.e5m2ToFloat((byte) 0x7c));
        assertEquals(Float.NEGATIVE_INFINITY, FloatFormats.e5m2ToFloat((byte) 0xfc));
        assertTrue(Float.isNaN(FloatFormats.e5m2ToFloat((byte) 0x7d)));
        for (int b = 0; b < 256; b++) {
            // E5M2 is the top byte of a binary16 (same exponent width and bias).
            float asHalf = FloatFormats.halfToFloat((short) (b << 8));
            float e5m2 = FloatFormats.e5m2ToFloat((byte) b);
            assertTrue(Float.compare(asHalf, e5m2) == 0 || Float.isNaN(asHalf) && Float.isNaN(e5m2));
        }
    }

    @Test
    void fp8TensorsDecodeAndOtherTypesAreRefusedByName() throws Exception {
        Path file = dir.resolve("fp8.safetensors");
        new SafeTensorsWriter()
                .add("e4m3", DType.F8_E4M3, new long[] {2}, new byte[] {0x7e, (byte) 0xb9})
                .add("e5m2", DType.F8_E5M2, new long[] {1}, new byte[] {0x7b})
                .add("e8m0", DType.F8_E8M0, new long[] {1}, new byte[] {127})
                .add("f4", DType.F4, new long[] {2, 2}, new byte[] {0x12, 0x34})
                .write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertArrayEquals(new float[] {448f, -1.125f}, st.readFloats("e4m3"));
            assertArrayEquals(new float[] {57344f}, st.readFloats("e5m2"));
            assertEquals(DType.F8_E8M0, st.info("e8m0").dtype());
            BadInputException e = assertThrows(BadInputException.class, () -> st.readFloats("e8m0"));
            assertEquals(file + ": tensor 'e8m0' has dtype F8_E8M0, which cannot be decoded to float", e.getMessage());
            assertEquals(2, st.info("f4").byteLength());
            assertThrows(BadInputException.class, () -> st.readLongs("e4m3"));
        }
    }

    @Test
    void u64AboveLongRangeIsRefused() throws Exception {
        Path file = dir.resolve("u64.safetensors");
        new SafeTensorsWriter().add("u", DType.U64, new long[] {1}, littleEndian(8, -1L)).write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            BadInputException e = assertThrows(BadInputException.class, () -> st.readLongs("u"));
            assertTrue(e.getMessage().endsWith("tensor 'u' holds U64 value 18446744073709551615, above the largest long"));
        }
    }

    @Test
    void metadataScalarsAndEmptyTensorsRoundTrip() throws Exception {
        Path file = dir.resolve("meta.safetensors");
        Map<String, String> metadata = Map.of("format", "pt", "lora_adapter_metadata", "{\"r\": 4}", "ünï", "cödé\n");
        new SafeTensorsWriter()
                .metadata(metadata)
                .addF32("alpha", new long[0], new float[] {8f})
                .addF32("empty", new long[] {0, 3}, new float[0])
                .write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(metadata, st.metadata());
            assertArrayEquals(new float[] {8f}, st.readFloats("alpha"));
            assertEquals(1, st.info("alpha").numel());
            assertEquals(0, st.info("empty").numel());
            assertEquals(0, st.data("empty").remaining());
            assertTrue(st.contains("alpha"));
            assertFalse(st.contains("beta"));
            assertThrows(IllegalArgumentException.class, () -> st.info("beta"));
        }
    }

    @Test
    void writerMatchesTheReferenceBytes() throws Exception {
        // Expected bytes from the reference implementation's own tests (safetensors/src/tensor.rs,
        // test_serialization and test_empty).
        Path one = dir.resolve("one.safetensors");
        new SafeTensorsWriter().addF32("attn.0", new long[] {1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5}).write(one);
        byte[] expected = RawFiles.withLength(64,
                "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}".getBytes(),
                littleEndian(4, 0, 0x3f800000, 0x40000000, 0x40400000, 0x40800000, 0x40a00000));
        assertArrayEquals(expected, Files.readAllBytes(one));
        Path empty = dir.resolve("empty.safetensors");
        new SafeTensorsWriter().write(empty);
        assertArrayEquals(RawFiles.withLength(8, "{}      ".getBytes(), new byte[0]), Files.readAllBytes(empty));
        Path meta = dir.resolve("meta.safetensors");
        new SafeTensorsWriter().metadata("framework", "pt").write(meta);
        assertArrayEquals(RawFiles.withLength(40, "{\"__metadata__\":{\"framework\":\"pt\"}}     ".getBytes(), new byte[0]),
                Files.readAllBytes(meta));
    }

    @Test
    void writerOrdersByDescendingAlignmentThenNameAndAlignsData() throws Exception {
        Path file = dir.resolve("order.safetensors");
        new SafeTensorsWriter()
                .add("a.u8", DType.U8, new long[] {3}, new byte[3])
                .addF16("b.f16", new long[] {1}, new float[] {1})
                .addF32("z.f32", new long[] {1}, new float[] {1})
                .addF32("y.f32", new long[] {1}, new float[] {1})
                .add("c.i64", DType.I64, new long[] {1}, new byte[8])
                .write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            List<String> byOffset = st.tensors().stream()
                    .sorted((x, y) -> Long.compare(x.begin(), y.begin()))
                    .map(TensorInfo::name).collect(Collectors.toList());
            assertEquals(List.of("c.i64", "y.f32", "z.f32", "b.f16", "a.u8"), byOffset);
            assertEquals(List.of("a.u8", "b.f16", "c.i64", "y.f32", "z.f32"),
                    st.tensors().stream().map(TensorInfo::name).collect(Collectors.toList()));
        }
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
    }

    @Test
    void writerRejectsInconsistentTensors() {
        SafeTensorsWriter writer = new SafeTensorsWriter().addF32("a", new long[] {1}, new float[] {1});
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> writer.addF32("a", new long[] {1}, new float[] {1}));
        assertEquals("duplicate tensor name 'a'", dup.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> writer.add("b", DType.F32, new long[] {2, 2}, new byte[12]));
        assertEquals("tensor 'b': F32 [2, 2] needs 16 bytes, got 12", size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> writer.addF32("__metadata__", new long[0], new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> writer.add("c", DType.F4, new long[] {3}, new byte[2]));
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("model.safetensors");
        new SafeTensorsWriter().addF32("old", new long[] {1}, new float[] {1}).write(file);
        new SafeTensorsWriter().addF32("new", new long[] {1}, new float[] {2}).write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(List.of("new"), st.tensors().stream().map(TensorInfo::name).collect(Collectors.toList()));
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.collect(Collectors.toList()));
        }
    }

    @Test
    void dataIsAReadOnlyLittleEndianSliceWithItsOwnPosition() throws Exception {
        Path file = dir.resolve("d.safetensors");
        new SafeTensorsWriter()
                .addF32("a", new long[] {2}, new float[] {1.5f, -2f})
                .addF32("b", new long[] {1}, new float[] {7f})
                .write(file);
        SafeTensors st = SafeTensors.open(file);
        ByteBuffer first = st.data("a");
        assertTrue(first.isReadOnly());
        assertEquals(ByteOrder.LITTLE_ENDIAN, first.order());
        assertEquals(8, first.remaining());
        assertEquals(1.5f, first.getFloat());
        assertEquals(0, st.data("a").position(), "a second call is not affected by the first's reads");
        assertThrows(ReadOnlyBufferException.class, () -> first.putFloat(0, 3f));
        assertEquals(-2f, st.data("a", 4, 4).getFloat());
        assertThrows(IndexOutOfBoundsException.class, () -> st.data("a", 4, 8));
        st.close();
        assertEquals(-2f, first.getFloat(4), "buffers handed out stay readable");
        assertThrows(IllegalStateException.class, () -> st.data("b"));
    }

    @Test
    void fileWrittenWithPyTorchReadsBackAndMatchesOurRounding() throws Exception {
        // Written by tools/reference/make_safetensors_fixture.py: F16/BF16 narrowed by PyTorch.
        Path file = dir.resolve("torch_fixture.safetensors");
        try (InputStream in = getClass().getResourceAsStream("/safetensors/torch_fixture.safetensors")) {
            Files.copy(in, file);
        }
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals("pt", st.metadata().get("format"));
            float[] source = st.readFloats("src.f32");
            ByteBuffer f16 = st.data("conv.f16");
            ByteBuffer bf16 = st.data("conv.bf16");
            assertTrue(source.length > 4000);
            for (int i = 0; i < source.length; i++) {
                assertSameBits(f16.getShort(2 * i), FloatFormats.floatToHalf(source[i]), source[i], "F16");
                assertSameBits(bf16.getShort(2 * i), FloatFormats.floatToBf16(source[i]), source[i], "BF16");
            }
            assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1}, st.readLongs("ints.i64"));
            assertArrayEquals(new long[] {-32768, 32767, 0}, st.readLongs("ints.i16"));
            assertArrayEquals(new long[] {0, 255, 7}, st.readLongs("ints.u8"));
            assertArrayEquals(new long[] {1, 0, 1}, st.readLongs("mask.bool"));
            assertArrayEquals(new float[] {(float) Math.PI}, st.readFloats("scalar.f64"));
            assertArrayEquals(new long[] {0, 4}, st.info("empty.f32").shape());
        }
    }

    private static void assertSameBits(short torch, short ours, float source, String format) {
        boolean bothNaN = format.equals("F16")
                ? Float.isNaN(FloatFormats.halfToFloat(torch)) && Float.isNaN(FloatFormats.halfToFloat(ours))
                : Float.isNaN(FloatFormats.bf16ToFloat(torch)) && Float.isNaN(FloatFormats.bf16ToFloat(ours));
        assertTrue(torch == ours || bothNaN, () -> format + " of " + source + " (0x"
                + Integer.toHexString(Float.floatToRawIntBits(source)) + "): torch 0x"
                + Integer.toHexString(torch & 0xffff) + ", ours 0x" + Integer.toHexString(ours & 0xffff));
    }
}
