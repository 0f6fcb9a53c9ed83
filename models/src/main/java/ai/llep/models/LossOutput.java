package ai.llep.models;

import ai.llep.models.layers.LossSum;

/** A training forward pass: the loss as sum and count, and the forward output it came from. */
public record LossOutput(LossSum loss, ModelOutput output) {}
