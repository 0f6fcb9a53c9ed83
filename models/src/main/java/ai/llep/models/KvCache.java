package ai.llep.models;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.layers.CachedAttentionContext;
import ai.llep.models.layers.LayerKv;
import ai.llep.models.layers.RopeTables;
import ai.llep.models.layers.RotaryEmbedding;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The keys and values of every attention layer for B rows being generated, so that each new token
 * costs one position: a prompt is run once ({@link MoeTransformer#forwardCached}), then one token
 * per row per step. Every pass appends the same number of positions to every row.
 *
 * <p>Rows are left-padded: row b's first {@code padding_B[b]} positions are padding, which no real
 * position attends to (a padding position attends to itself alone, so nothing is undefined), and
 * its real positions are rotated from 0, so a padded row computes what it computes alone. A
 * sliding-window layer keeps only the latest positions its window can still see ({@link LayerKv}).
 *
 * <p>The buffers live under a manager of their own, freed by {@link #close}.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final List<LayerKv> layers;
  private final int[] padding_B;
  private final int capacity;
  private int length;

  private KvCache(NDManager manager, List<LayerKv> layers, int[] padding_B, int capacity) {
    this.manager = manager;
    this.layers = layers;
    this.padding_B = padding_B;
    this.capacity = capacity;
  }

  /**
   * An empty cache of {@code capacity} positions per row, computing in {@code type} on {@code
   * parent}'s device; layer i attends within {@code windows_L[i]} positions (0: all earlier ones).
   */
  static KvCache create(
      ModelConfig config,
      int[] windows_L,
      int[] padding_B,
      int capacity,
      DataType type,
      NDManager parent) {
    if (padding_B.length == 0) {
      throw new IllegalArgumentException("a key/value cache needs at least one row");
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("cache capacity must be >= 1, got " + capacity);
    }
    for (int b = 0; b < padding_B.length; b++) {
      if (padding_B[b] < 0 || padding_B[b] >= capacity) {
        throw new IllegalArgumentException(
            "row " + b + " padding must be in [0, " + capacity + "), got " + padding_B[b]);
      }
    }
    NDManager manager = parent.newSubManager();
    Device device = manager.getDevice();
    try {
      List<LayerKv> layers = new ArrayList<>();
      for (int window : windows_L) {
        Shape shape =
            new Shape(
                padding_B.length,
                config.numKvHeads(),
                LayerKv.bufferLength(window, capacity),
                config.headDim());
        layers.add(
            new LayerKv(
                Aten.zeros(manager, shape, type, device),
                Aten.zeros(manager, shape, type, device),
                window,
                capacity));
      }
      return new KvCache(manager, layers, padding_B.clone(), capacity);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public int batch() {
    return padding_B.length;
  }

  /** The positions each row holds at most. */
  public int capacity() {
    return capacity;
  }

  /** The positions filled so far, the same in every row (padding included). */
  public int length() {
    return length;
  }

  public int[] padding_B() {
    return padding_B.clone();
  }

  LayerKv layer(int index) {
    return layers.get(index);
  }

  /**
   * The attention context of a pass over the next {@code seq} positions of every row, under {@code
   * step}, with additive masks for the layers that attend with explicit math ({@code
   * explicitWindows}, their windows).
   */
  CachedAttentionContext context(
      NDManager step,
      RotaryEmbedding rotary,
      int seq,
      DataType type,
      Set<Integer> explicitWindows) {
    if (seq < 1 || length + seq > capacity) {
      throw new IllegalArgumentException(
          seq
              + " more positions do not fit the key/value cache ("
              + length
              + " of "
              + capacity
              + " used)");
    }
    int[][] positions_BS = new int[batch()][seq];
    for (int b = 0; b < batch(); b++) {
      for (int s = 0; s < seq; s++) {
        positions_BS[b][s] = Math.max(0, length + s - padding_B[b]);
      }
    }
    RopeTables rope = rotary.tables(step, positions_BS, type);
    return CachedAttentionContext.create(step, rope, padding_B, length, seq, type, explicitWindows);
  }

  /** Records that a pass filled the next {@code seq} positions. */
  void advance(int seq) {
    length += seq;
  }

  @Override
  public void close() {
    manager.close();
  }
}
