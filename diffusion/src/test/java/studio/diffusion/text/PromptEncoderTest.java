package studio.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.diffusion.Fixtures.assertClose;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import studio.core.BadInputException;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;

/** encode_prompt parity with text_reference.py: a two-chunk prompt, separate prompts, an empty negative. */
class PromptEncoderTest {
    private static NDManager manager;
    private static SafeTensors expected;

    @BeforeAll
    static void open() throws Exception {
        manager = NDManager.newBaseManager();
        expected = SafeTensors.open(TextFixtures.path("conditioning.safetensors"));
    }

    @AfterAll
    static void close() throws Exception {
        expected.close();
        manager.close();
    }

    private static JsonNode args(String name) throws Exception {
        return new ObjectMapper().readTree(expected.metadata().get(name));
    }

    private static PromptEncoder encoder(int t5Length) throws Exception {
        return PromptEncoder.load(TextFixtures.tiny(), manager, Precision.F32, new TextOptions(t5Length, 4));
    }

    @Test
    void longPromptInTwoChunksMatchesReference() throws Exception {
        JsonNode a = args("long");
        String prompt = a.get("prompt").asText();
        try (PromptEncoder enc = encoder(a.get("t5_len").asInt());
             Conditioning c = enc.encode(Prompts.of(prompt), manager)) {
            assertEquals(2, c.clipChunks());
            assertEquals(new Shape(1, 2 * 77 + 64, 32), c.context().getShape());
            assertClose("conditioning long context", c.context(), TextFixtures.floats(expected, "long.context", manager), 1e-4);
            assertClose("conditioning long pooled", c.pooled(), TextFixtures.floats(expected, "long.pooled", manager), 1e-4);
            TokenReport r = c.reports().get(0);
            assertEquals(127, r.encoder("clip_l").tokens());
            assertFalse(r.encoder("clip_l").truncated());
            TokenReport.Encoder t5 = r.encoder("t5");
            assertTrue(t5.truncated());
            assertEquals(63, t5.kept());
            assertTrue(prompt.endsWith(t5.dropped()) && !t5.dropped().isEmpty(), t5.dropped());
            System.out.print(r.summary());
        }
    }

    @Test
    void separatePromptsPerEncoderMatchReference() throws Exception {
        JsonNode a = args("split");
        try (PromptEncoder enc = encoder(a.get("t5_len").asInt());
             Conditioning c = enc.encode(new Prompts(a.get("prompt").asText(), a.get("prompt_2").asText(),
                     a.get("prompt_3").asText()), manager)) {
            assertEquals(2, c.clipChunks()); // CLIP-G's long prompt; CLIP-L gets an empty second chunk
            assertClose("conditioning split context", c.context(), TextFixtures.floats(expected, "split.context", manager), 1e-4);
            assertClose("conditioning split pooled", c.pooled(), TextFixtures.floats(expected, "split.pooled", manager), 1e-4);
        }
    }

    @Test
    void emptyNegativeIsPaddedToTheBatchChunkCount() throws Exception {
        JsonNode a = args("empty");
        try (PromptEncoder enc = encoder(a.get("t5_len").asInt());
             Conditioning c = enc.encode(List.of(Prompts.of(""), Prompts.of(args("long").get("prompt").asText())), manager)) {
            assertEquals(new Shape(2, 2 * 77 + 16, 32), c.context().getShape());
            assertClose("conditioning empty negative context", c.context().get("0:1"),
                    TextFixtures.floats(expected, "empty.context", manager), 1e-4);
            assertClose("conditioning empty negative pooled", c.pooled().get("0:1"),
                    TextFixtures.floats(expected, "empty.pooled", manager), 1e-4);
            assertEquals(0, c.reports().get(0).encoder("t5").tokens());
        }
    }

    @Test
    void clipTokensPastTheChunkCapAreReportedNotSilentlyLost() throws Exception {
        String prompt = args("long").get("prompt").asText();
        try (PromptEncoder enc = PromptEncoder.load(TextFixtures.tiny(), manager, Precision.F32, new TextOptions(16, 1))) {
            TokenReport r = enc.report(List.of(Prompts.of(prompt))).get(0);
            TokenReport.Encoder l = r.encoder("clip_l");
            assertEquals(75, l.kept());
            assertEquals(1, l.chunks());
            ClipTokenizer tok = ClipTokenizer.load(TextFixtures.tiny().resolve("tokenizer"));
            TokenizedText t = tok.encode(prompt);
            assertEquals(prompt.substring(t.starts()[75]), l.dropped());
            assertEquals(t.starts()[75], l.droppedFrom());
            assertEquals(prompt.length(), r.encoder("clip_l").droppedFrom() + l.dropped().length());
            // the kept text re-tokenizes to exactly the kept tokens
            int[] keptIds = tok.encode(prompt.substring(0, t.starts()[75])).ids();
            assertEquals(75, keptIds.length);
        }
    }

    @Test
    void freedEncodersRefuseToEncodeButStillReport() throws Exception {
        PromptEncoder enc = encoder(16);
        enc.close();
        assertThrows(IllegalStateException.class, () -> enc.encode(Prompts.of("a cat"), manager));
        try (T5Tokenizer t5 = T5Tokenizer.load(TextFixtures.tiny().resolve("tokenizer_3"))) {
            assertEquals(t5.encode("a cat").size(), enc.report(List.of(Prompts.of("a cat"))).get(0).encoder("t5").tokens());
        }
        assertThrows(BadInputException.class, () -> new TextOptions(513, 4));
        assertThrows(BadInputException.class, () -> new TextOptions(0, 4));
    }
}
