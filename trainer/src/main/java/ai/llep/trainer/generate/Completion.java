package ai.llep.trainer.generate;

/**
 * What one prompt became: its rendered ids, the generated ids (with the token that ended it, if one
 * did) and why it stopped. The arrays are handed over, not copied.
 */
record Completion(int index, int[] promptIds, int[] tokenIds, StopReason reason) {}
