package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;

/**
 * What every attention layer of one cached pass shares: S new positions per row, written at cache
 * positions {@code [start, start + S)}, their rotary tables, and which cached positions each may
 * attend to (made once per pass).
 *
 * @param mask_B1SL true where new position s may attend to cache position l ({@code L = start +
 *     S}); null when {@code causal} says it all
 * @param causal with no mask: the plain causal mask when {@code start == 0}, no mask at all when
 *     false (one new position attending to everything before it)
 */
public record CachedAttentionContext(
    int batch, int seq, int start, RopeTables rope, NDArray mask_B1SL, boolean causal) {
  public CachedAttentionContext {
    if (batch < 1 || seq < 1 || start < 0) {
      throw new IllegalArgumentException(
          "a cached pass needs batch >= 1, seq >= 1, start >= 0; got "
              + batch
              + ", "
              + seq
              + ", "
              + start);
    }
    if (mask_B1SL != null && causal) {
      throw new IllegalArgumentException("a cached pass has a mask or is causal, not both");
    }
    if (causal && start != 0) {
      throw new IllegalArgumentException(
          "a causal pass without a mask must start at position 0, not " + start);
    }
  }
}
