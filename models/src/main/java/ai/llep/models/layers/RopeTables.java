package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;

/**
 * The cosines and sines of one batch's positions, [B, 1, S, C], shared by every layer; {@code
 * rolledSin_B1SC} is the sines with the first half of each row negated, the factor of a query or
 * key rolled by half a head ({@link RotaryEmbedding#apply}).
 */
public record RopeTables(NDArray cos_B1SC, NDArray sin_B1SC, NDArray rolledSin_B1SC) {}
