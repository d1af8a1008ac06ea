package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy decoding of one caption (argmax word each step; at a {@code <ptr>} the argmax slot), until
 * {@code <eos>} or the position limit. Each step re-runs the decoder over the prefix in its own scope
 * (no key/value cache: captions are a few hundred tokens of a two-layer model).
 *
 * @param ids generated tokens (without {@code <bos>})
 * @param tags slot index of each pointer token, -1 elsewhere
 * @param pointerScores the pointer logits over the slots at each pointer position
 */
record Greedy(int[] ids, int[] tags, Map<Integer, float[]> pointerScores) {

    /** slots [1, K, D], valid [1, K]; the arrays made per step live in a sub-manager of the slots'. */
    static Greedy run(CaptionDecoder decoder, int maxTokens, NDArray slots, NDArray valid, int k) {
        List<Integer> ids = new ArrayList<>(List.of(Vocabulary.BOS_ID));
        List<Integer> tags = new ArrayList<>(List.of(-1));
        Map<Integer, float[]> scores = new HashMap<>();
        while (ids.size() < maxTokens) {
            int t = ids.size();
            int next;
            float[] pointer;
            try (NDManager step = slots.getManager().newSubManager()) {
                float[] tok = new float[t];
                float[] pointed = new float[t * k];
                for (int i = 0; i < t; i++) {
                    tok[i] = ids.get(i);
                    if (tags.get(i) >= 0) {
                        pointed[i * k + tags.get(i)] = 1f;
                    }
                }
                NDArray tokens = step.create(tok, new Shape(1, t)).toType(ai.djl.ndarray.types.DataType.INT64, false);
                CaptionDecoder.Output out = decoder.forward(tokens, step.create(pointed, new Shape(1, t, k)), slots, valid);
                next = argmax(out.tokenLogits().get(0, t - 1).toFloatArray());
                pointer = out.pointerLogits().get(0, t - 1).toFloatArray();
            }
            ids.add(next);
            tags.add(next == Vocabulary.PTR_ID ? argmax(pointer) : -1);
            if (next == Vocabulary.PTR_ID) {
                scores.put(ids.size() - 2, pointer);
            }
            if (next == Vocabulary.EOS_ID) {
                break;
            }
        }
        int[] a = ids.subList(1, ids.size()).stream().mapToInt(Integer::intValue).toArray();
        int[] b = tags.subList(1, tags.size()).stream().mapToInt(Integer::intValue).toArray();
        return new Greedy(a, b, scores);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best;
    }

    @Override
    public String toString() {
        return "Greedy" + Arrays.toString(ids);
    }
}
