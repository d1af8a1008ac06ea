package studio.diffusion.mmdit;

import ai.djl.ndarray.NDArray;

/** The image and context streams of the MMDiT: x [B, N, D] and c [B, T, D] (c null after the last block). */
record Streams(NDArray x, NDArray c) {}
