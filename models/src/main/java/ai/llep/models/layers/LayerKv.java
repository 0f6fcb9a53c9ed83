package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * One attention layer's key/value cache: keys and values (after the norms and the rotation) of up
 * to L positions per row, {@code [B, G, L, C]}, allocated once and filled in place, so a decoding
 * step copies only its own positions and attends over a view of the filled part.
 */
public final class LayerKv {
  private final NDArray k_BGLC;
  private final NDArray v_BGLC;

  /**
   * @param k_BGLC the key buffer (owned by the cache's manager)
   * @param v_BGLC the value buffer, of the same shape
   */
  public LayerKv(NDArray k_BGLC, NDArray v_BGLC) {
    if (k_BGLC.getShape().dimension() != 4 || !k_BGLC.getShape().equals(v_BGLC.getShape())) {
      throw new IllegalArgumentException(
          "key and value buffers must be [B, G, L, C] alike, got "
              + k_BGLC.getShape()
              + " and "
              + v_BGLC.getShape());
    }
    this.k_BGLC = k_BGLC;
    this.v_BGLC = v_BGLC;
  }

  /** The positions a row holds at most. */
  public int capacity() {
    return Math.toIntExact(k_BGLC.getShape().get(2));
  }

  /** The keys and values of positions {@code [0, end)}, views attached to a pass's manager. */
  public record Filled(NDArray k_BGLC, NDArray v_BGLC) {}

  /**
   * Writes {@code k_BGSC} and {@code v_BGSC} at positions {@code [start, start + S)} and returns
   * views of positions {@code [0, start + S)} under {@code step}.
   */
  public Filled append(NDArray k_BGSC, NDArray v_BGSC, int start, NDManager step) {
    Shape shape = k_BGSC.getShape();
    int end = start + Math.toIntExact(shape.get(2));
    if (start < 0 || end > capacity()) {
      throw new IllegalArgumentException(
          "positions ["
              + start
              + ", "
              + end
              + ") do not fit the key/value cache of "
              + capacity()
              + " positions");
    }
    NDIndex written = new NDIndex(":, :, {}:{}", start, end);
    k_BGLC.set(written, k_BGSC);
    v_BGLC.set(written, v_BGSC);
    NDIndex filled = new NDIndex(":, :, :{}", end);
    return new Filled(StepView.of(k_BGLC, step).get(filled), StepView.of(v_BGLC, step).get(filled));
  }
}
