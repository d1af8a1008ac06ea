package studio.diffusion.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.core.BadInputException;
import studio.core.config.Configs;

/**
 * The "tokenizers" task of {@code studio train}: builds pancap-tiny's own tokenizers from a generated world's
 * corpus ({@link WorldCorpus}) into diffusers folders loadable by the same classes as SD3's — {@code tokenizer/}
 * and {@code tokenizer_2/} (one CLIP BPE, {@link BpeTrainer}; pad {@code <|endoftext|>} and {@code "!"} as
 * CLIP-L and bigG) read by {@link ClipTokenizer}, and {@code tokenizer_3/tokenizer.json} (T5 Unigram,
 * {@link UnigramTrainer}) read by {@link T5Tokenizer} through DJL's Hugging Face tokenizers.
 */
public final class TokenizerTrainer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** {@code tokenizers-defaults.json}: the world to read, BPE merge limits, Unigram piece threshold. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Config(String task, String outputDir, World world, Clip clip, T5 t5) {
        @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
        public record World(long seed, int count, int size, int threads) {}

        @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
        public record Clip(int maxMerges, int minFrequency) {}

        @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
        public record T5(int minFrequency) {}

        public static ObjectNode preset() {
            return Configs.resource(TokenizerTrainer.class, "tokenizers-defaults.json");
        }

        public void check() {
            if (world.count() < 1 || clip.maxMerges() < 0 || clip.minFrequency() < 1 || t5.minFrequency() < 1) {
                throw new BadInputException("tokenizers config", "need world.count ≥ 1, clip.max_merges ≥ 0, "
                        + "min_frequency ≥ 1");
            }
        }
    }

    /** What was written: the three folders and their sizes. */
    public record Result(Path dir, int corpusTexts, int clipVocab, int clipMerges, int t5Pieces) {}

    private TokenizerTrainer() {}

    /** Builds both tokenizers of {@code c}'s world into {@code c.output_dir}/tokenizer{,_2,_3}. */
    public static Result run(Config c) throws IOException {
        List<String> corpus = WorldCorpus.texts(c.world().seed(), c.world().count(), c.world().size(), c.world().threads());
        Path dir = Path.of(c.outputDir());
        BpeTrainer.Result bpe = BpeTrainer.train(corpus, c.clip().maxMerges(), c.clip().minFrequency());
        writeClip(dir.resolve("tokenizer"), bpe, ClipTokenizer.EOS_TEXT);
        writeClip(dir.resolve("tokenizer_2"), bpe, "!");
        List<UnigramTrainer.Piece> pieces = UnigramTrainer.train(corpus, c.t5().minFrequency());
        writeT5(dir.resolve("tokenizer_3"), pieces);
        Files.writeString(dir.resolve("tokenizers-config.json"), Configs.toJson(c));
        return new Result(dir, corpus.size(), bpe.vocab().size(), bpe.merges().size(), pieces.size());
    }

    /** vocab.json, merges.txt ("#version: 0.2" first), special_tokens_map.json, tokenizer_config.json as HF's CLIPTokenizer. */
    public static void writeClip(Path folder, BpeTrainer.Result bpe, String padToken) throws IOException {
        Files.createDirectories(folder);
        JSON.writeValue(folder.resolve("vocab.json").toFile(), bpe.vocab());
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        bpe.merges().forEach(m -> merges.append(m).append('\n'));
        Files.writeString(folder.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
        ObjectNode special = JSON.createObjectNode().put("bos_token", ClipTokenizer.BOS_TEXT)
                .put("eos_token", ClipTokenizer.EOS_TEXT).put("unk_token", ClipTokenizer.EOS_TEXT).put("pad_token", padToken);
        JSON.writeValue(folder.resolve("special_tokens_map.json").toFile(), special);
        ObjectNode config = JSON.createObjectNode().put("tokenizer_class", "CLIPTokenizer")
                .put("model_max_length", ClipTokenizer.LENGTH).put("do_lower_case", true);
        config.setAll(special);
        JSON.writeValue(folder.resolve("tokenizer_config.json").toFile(), config);
    }

    /** tokenizer.json in the layout of T5TokenizerFast's (the SD3 tokenizer_3 fixture), plus the two config files. */
    public static void writeT5(Path folder, List<UnigramTrainer.Piece> pieces) throws IOException {
        Files.createDirectories(folder);
        ObjectNode root = JSON.createObjectNode().put("version", "1.0").putNull("truncation").putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < 3; i++) {
            added.addObject().put("id", i).put("content", pieces.get(i).piece()).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.set("normalizer", JSON.readTree("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},"
                + "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" {2,}\"},\"content\":\" \"}]}"));
        String metaspace = "{\"type\":\"Metaspace\",\"replacement\":\"" + UnigramTrainer.SPACE
                + "\",\"prepend_scheme\":\"always\",\"split\":true}";
        root.set("pre_tokenizer", JSON.readTree("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},"
                + metaspace + "]}"));
        root.set("post_processor", JSON.readTree("{\"type\":\"TemplateProcessing\","
                + "\"single\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"</s>\",\"type_id\":0}}],"
                + "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"</s>\",\"type_id\":0}},"
                + "{\"Sequence\":{\"id\":\"B\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"</s>\",\"type_id\":0}}],"
                + "\"special_tokens\":{\"</s>\":{\"id\":\"</s>\",\"ids\":[1],\"tokens\":[\"</s>\"]}}}"));
        root.set("decoder", JSON.readTree(metaspace));
        ObjectNode model = root.putObject("model").put("type", "Unigram").put("unk_id", 2);
        ArrayNode vocab = model.putArray("vocab");
        pieces.forEach(p -> vocab.addArray().add(p.piece()).add(p.score()));
        model.put("byte_fallback", false);
        JSON.writeValue(folder.resolve("tokenizer.json").toFile(), root);
        Map<String, String> special = new LinkedHashMap<>(); // fixed order: the files are deterministic
        special.put("eos_token", "</s>");
        special.put("pad_token", "<pad>");
        special.put("unk_token", "<unk>");
        JSON.writeValue(folder.resolve("special_tokens_map.json").toFile(), special);
        ObjectNode config = JSON.createObjectNode().put("tokenizer_class", "T5Tokenizer").put("model_max_length", 512)
                .put("extra_ids", 0);
        special.forEach(config::put);
        JSON.writeValue(folder.resolve("tokenizer_config.json").toFile(), config);
    }
}
