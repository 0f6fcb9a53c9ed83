package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;

/** The cosines and sines of one batch's positions, [B, 1, S, C], shared by every layer. */
public record RopeTables(NDArray cos_B1SC, NDArray sin_B1SC) {}
