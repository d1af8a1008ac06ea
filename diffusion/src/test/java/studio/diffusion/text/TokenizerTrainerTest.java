package studio.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.config.Configs;

/** The world's own tokenizers: built from a small world, loaded by the SD3 classes, every text round-trips without unknowns. */
class TokenizerTrainerTest {
    @TempDir
    static Path dir;
    static TokenizerTrainer.Config config;
    static TokenizerTrainer.Result result;
    static List<String> corpus;

    @BeforeAll
    static void build() throws Exception {
        config = Configs.resolve(TokenizerTrainer.Config.preset(), null,
                List.of("output_dir=" + dir.resolve("tok"), "world.count=40", "world.size=32", "world.threads=1"),
                TokenizerTrainer.Config.class, "test");
        result = TokenizerTrainer.run(config);
        corpus = WorldCorpus.texts(0, 40, 32, 1);
    }

    @Test
    void clipFoldersLoadAndEveryWorldTextRoundTrips() throws Exception {
        ClipTokenizer l = ClipTokenizer.load(result.dir().resolve("tokenizer"));
        ClipTokenizer g = ClipTokenizer.load(result.dir().resolve("tokenizer_2"));
        assertEquals(result.clipVocab() - 2, l.bos(), "BOS and EOS are the last two ids, as in CLIP");
        assertEquals(result.clipVocab() - 1, l.eos());
        assertEquals(l.eos(), l.pad());
        assertEquals(0, g.pad(), "bigG pads with \"!\", id 0 as in CLIP");
        int tokens = 0;
        int chars = 0;
        for (String text : corpus) {
            int[] ids = l.encode(text).ids();
            String clean = ClipTextCleaner.clean(text).text();
            assertEquals(clean.replace(" ", ""), l.decode(ids).replace(" ", ""), text);
            assertArrayEquals(ids, g.encode(text).ids());
            for (int id : ids) {
                assertTrue(id < l.bos(), "no special token inside a caption: " + text);
            }
            tokens += ids.length;
            chars += clean.length();
        }
        assertTrue(tokens * 4 < chars, "merges learned whole words: " + tokens + " tokens for " + chars + " chars");
    }

    @Test
    void t5TokenizerLoadsThroughDjlAndHasNoUnknowns() throws Exception {
        try (T5Tokenizer t5 = T5Tokenizer.load(result.dir().resolve("tokenizer_3"))) {
            assertEquals(1, t5.eos());
            assertEquals(0, t5.pad());
            List<String> pieces = new ArrayList<>();
            UnigramTrainer.train(corpus, 1).forEach(p -> pieces.add(p.piece()));
            int words = 0;
            int tokens = 0;
            for (String text : corpus) {
                int[] ids = t5.encode(text).ids();
                StringBuilder back = new StringBuilder();
                for (int id : ids) {
                    assertTrue(id > 2, "no <pad>, </s> or <unk> inside: " + text);
                    back.append(pieces.get(id));
                }
                assertEquals(UnigramTrainer.normalise(text), back.toString().replace(UnigramTrainer.SPACE, " ").strip(), text);
                words += text.split("\\s+").length;
                tokens += ids.length;
            }
            assertTrue(tokens < 2 * words, tokens + " pieces for " + words + " words");
            TokenizedText first = t5.encode(corpus.get(1));
            long[] row = t5.ids(first, first.size() + 3);
            assertEquals(1, row[first.size()], "</s> after the pieces");
            assertEquals(0, row[first.size() + 2], "then <pad>");
            assertFalse(java.util.Arrays.stream(t5.encode("a purple zebra?").ids()).anyMatch(id -> id == 2),
                    "unseen ASCII words fall back to characters, not <unk>");
        }
    }

    @Test
    void buildIsDeterministic() throws Exception {
        TokenizerTrainer.Config again = Configs.resolve(TokenizerTrainer.Config.preset(), null,
                List.of("output_dir=" + dir.resolve("tok2"), "world.count=40", "world.size=32", "world.threads=2"),
                TokenizerTrainer.Config.class, "test");
        TokenizerTrainer.run(again);
        for (String f : List.of("tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer_2/special_tokens_map.json",
                "tokenizer_3/tokenizer.json")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("tok").resolve(f)), Files.readAllBytes(dir.resolve("tok2").resolve(f)), f);
        }
    }
}
