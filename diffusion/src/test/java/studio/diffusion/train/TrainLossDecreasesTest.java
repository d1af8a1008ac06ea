package studio.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.safetensors.SafeTensors;

/**
 * Training lowers the loss on a fixed batch: the whole 2-image dataset every step, measured by the stable
 * evaluation loss (the same images, noise and σ at every evaluation; the per-step training loss moves mostly
 * with the σ drawn), LoRA and full-parameter.
 */
class TrainLossDecreasesTest {
    @TempDir
    Path dir;

    private void train(String task, String lr, String... extra) throws Exception {
        Path data = TinyRuns.world(dir, 2);
        List<String> sets = new java.util.ArrayList<>(List.of("task=" + task, "steps=30", "optimizer.lr=" + lr,
                "checkpoint.every=30", "eval_every=10"));
        sets.addAll(List.of(extra));
        TrainConfig c = TinyRuns.config(data, dir.resolve(task), sets.toArray(String[]::new));
        DiffusionTrainer.Result r = TinyRuns.run(c, false);
        assertEquals(30, r.steps());
        assertEquals(30, TinyRuns.losses(r.runDir()).size());
        List<Double> eval = TinyRuns.column(r.runDir(), "eval_loss");
        assertEquals(4, eval.size()); // steps 0, 10, 20, 30
        System.out.printf("%s: eval loss %s%n", task, eval);
        assertTrue(eval.get(3) < 0.7 * eval.get(0), task + ": " + eval);
    }

    @Test
    void loraLossDecreasesAndTheLoraIsSavedInPeftKeys() throws Exception {
        train("lora", "0.02", "lora.targets=[\"attn.to_q\",\"attn.to_k\",\"attn.to_v\",\"attn.to_out.0\",\"proj_out\"]");
        Path file = dir.resolve("lora").resolve(Trainables.LORA_FILE);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertTrue(st.contains("transformer.transformer_blocks.0.attn.to_q.lora_A.weight"));
            assertTrue(st.metadata().get("lora_adapter_metadata").contains("\"transformer.r\":4"));
            assertTrue(st.metadata().get("studio.training_config").contains("\"task\" : \"lora\""));
            assertTrue(st.metadata().get("studio.base_model").startsWith("random:tiny"));
            assertEquals("8", st.metadata().get("studio.t5_max_length"));
        }
    }

    @Test
    void fullParameterLossDecreases() throws Exception {
        train("full", "0.001");
        try (SafeTensors st = SafeTensors.open(dir.resolve("full").resolve(Trainables.FULL_FILE))) {
            assertTrue(st.contains("transformer_blocks.2.attn.to_q.weight"));
            assertTrue(st.contains("pos_embed.proj.weight"));
        }
        assertTrue(Files.exists(dir.resolve("full/config.json")));
    }
}
