package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * One attention layer's key/value cache: keys and values (after the norms and the rotation), {@code
 * [B, G, L, C]}, allocated once and filled in place, so a decoding step copies only its own
 * positions and attends over a view of the filled part.
 *
 * <p>A sliding-window layer (window W) keeps only the W - 1 latest positions, the most any later
 * query can see: a pass attends over those and its own new positions ({@link #firstKey}), then the
 * latest W - 1 of them replace the buffer's content. That copy is W - 1 positions per step, the
 * same order as the step's attention over them. Where the whole capacity fits the window the layer
 * keeps everything, like a full-attention layer.
 */
public final class LayerKv {
  private final NDArray k_BGLC;
  private final NDArray v_BGLC;
  private final int window;
  private final boolean rolling;

  /**
   * @param k_BGLC the key buffer (owned by the cache's manager): {@code capacity} positions, or
   *     {@link #bufferLength} of them for a sliding-window layer
   * @param v_BGLC the value buffer, of the same shape
   * @param window the layer's attention window (0: full causal attention)
   * @param capacity the positions a row holds at most
   */
  public LayerKv(NDArray k_BGLC, NDArray v_BGLC, int window, int capacity) {
    if (k_BGLC.getShape().dimension() != 4 || !k_BGLC.getShape().equals(v_BGLC.getShape())) {
      throw new IllegalArgumentException(
          "key and value buffers must be [B, G, L, C] alike, got "
              + k_BGLC.getShape()
              + " and "
              + v_BGLC.getShape());
    }
    if (k_BGLC.getShape().get(2) != bufferLength(window, capacity)) {
      throw new IllegalArgumentException(
          "a cache of "
              + capacity
              + " positions with window "
              + window
              + " needs buffers of "
              + bufferLength(window, capacity)
              + " positions, got "
              + k_BGLC.getShape());
    }
    this.k_BGLC = k_BGLC;
    this.v_BGLC = v_BGLC;
    this.window = window;
    this.rolling = keepsWindowOnly(window, capacity);
  }

  /** The positions a buffer of a layer with {@code window} holds in a cache of {@code capacity}. */
  public static int bufferLength(int window, int capacity) {
    return keepsWindowOnly(window, capacity) ? Math.max(1, window - 1) : capacity;
  }

  /**
   * The first cache position a pass starting at {@code start} attends over in a layer with {@code
   * window}: 0 for full attention, else the earliest position its first query can see.
   */
  public static int firstKey(int start, int window) {
    return window > 0 ? Math.max(0, start - (window - 1)) : 0;
  }

  private static boolean keepsWindowOnly(int window, int capacity) {
    if (window < 0) {
      throw new IllegalArgumentException("an attention window is >= 0, got " + window);
    }
    return window > 0 && window - 1 < capacity;
  }

  /** The keys and values of positions {@code [firstKey, end)}, attached to a pass's manager. */
  public record Filled(NDArray k_BGLC, NDArray v_BGLC) {}

  /**
   * Writes {@code k_BGSC} and {@code v_BGSC} at positions {@code [start, start + S)} and returns
   * the keys and values of positions {@code [firstKey(start, window), start + S)} under {@code
   * step}. Passes come in order: each starts where the previous one ended.
   */
  public Filled append(NDArray k_BGSC, NDArray v_BGSC, int start, NDManager step) {
    if (rolling) {
      return roll(k_BGSC, v_BGSC, start);
    }
    int capacity = Math.toIntExact(k_BGLC.getShape().get(2));
    int end = start + Math.toIntExact(k_BGSC.getShape().get(2));
    if (start < 0 || end > capacity) {
      throw new IllegalArgumentException(
          "positions ["
              + start
              + ", "
              + end
              + ") do not fit the key/value cache of "
              + capacity
              + " positions");
    }
    NDIndex written = new NDIndex(":, :, {}:{}", start, end);
    k_BGLC.set(written, k_BGSC);
    v_BGLC.set(written, v_BGSC);
    NDIndex filled = new NDIndex(":, :, :{}", end);
    return new Filled(StepView.of(k_BGLC, step).get(filled), StepView.of(v_BGLC, step).get(filled));
  }

  /** A sliding-window layer's pass: the kept positions and the new ones, then keep the latest. */
  private Filled roll(NDArray k_BGSC, NDArray v_BGSC, int start) {
    int held = start - firstKey(start, window);
    NDArray k_BGLC = held == 0 ? k_BGSC : withHeld(this.k_BGLC, held, k_BGSC);
    NDArray v_BGLC = held == 0 ? v_BGSC : withHeld(this.v_BGLC, held, v_BGSC);
    int total = Math.toIntExact(k_BGLC.getShape().get(2));
    int keep = Math.min(window - 1, total);
    if (keep > 0) {
      NDIndex latest = new NDIndex(":, :, {}:", total - keep);
      NDIndex into = new NDIndex(":, :, :{}", keep);
      this.k_BGLC.set(into, k_BGLC.get(latest));
      this.v_BGLC.set(into, v_BGLC.get(latest));
    }
    return new Filled(k_BGLC, v_BGLC);
  }

  /** The buffer's first {@code held} positions followed by {@code new_BGSC}: a new tensor. */
  private static NDArray withHeld(NDArray buffer_BGLC, int held, NDArray new_BGSC) {
    NDArray held_BGHC =
        StepView.of(buffer_BGLC, new_BGSC.getManager()).get(new NDIndex(":, :, :{}", held));
    return held_BGHC.concat(new_BGSC, 2);
  }
}
