package studio.diffusion.mmdit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** One (shift, scale, gate) triple of an AdaLayerNormZero, each [B, D] (SD3.md §1.4.1, order §7.2). */
record Modulation(NDArray shift, NDArray scale, NDArray gate) {

    /** The triple starting at chunk {@code first} of a modulation split into D-wide chunks. */
    static Modulation of(NDList chunks, int first) {
        return new Modulation(chunks.get(first), chunks.get(first + 1), chunks.get(first + 2));
    }
}
