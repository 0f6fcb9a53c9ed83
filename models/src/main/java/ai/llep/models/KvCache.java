package ai.llep.models;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.layers.CachedAttentionContext;
import ai.llep.models.layers.LayerKv;
import ai.llep.models.layers.RopeTables;
import ai.llep.models.layers.RotaryEmbedding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keys and values of every attention layer for B rows being generated, so that each new token
 * costs one position: a prompt is run once ({@link MoeTransformer#forwardCached}), then one token
 * per row per step. Every pass appends the same number of positions to every row.
 *
 * <p>Rows are left-padded: row b's first {@code padding_B[b]} positions are padding, which no real
 * position attends to (a padding position attends to itself alone, so nothing is undefined), and
 * its real positions are rotated from 0, so a padded row computes what it computes alone.
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

  /** An empty cache of {@code capacity} positions per row, computing in {@code type}. */
  static KvCache create(
      ModelConfig config, int[] padding_B, int capacity, DataType type, NDManager parent) {
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
    Shape shape = new Shape(padding_B.length, config.numKvHeads(), capacity, config.headDim());
    List<LayerKv> layers = new ArrayList<>();
    for (int i = 0; i < config.numLayers(); i++) {
      layers.add(new LayerKv(manager.zeros(shape, type), manager.zeros(shape, type)));
    }
    return new KvCache(manager, layers, padding_B.clone(), capacity);
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
   * step}. Plain causal attention where no row is padded, else a mask of B * S * L booleans.
   */
  CachedAttentionContext context(NDManager step, RotaryEmbedding rotary, int seq, DataType type) {
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
    boolean padded = Arrays.stream(padding_B).anyMatch(p -> p > 0);
    if (!padded && length == 0) {
      return new CachedAttentionContext(batch(), seq, length, rope, null, true);
    }
    if (!padded && seq == 1) {
      return new CachedAttentionContext(batch(), seq, length, rope, null, false);
    }
    return new CachedAttentionContext(
        batch(), seq, length, rope, step.create(mask(seq), maskShape(seq)), false);
  }

  private Shape maskShape(int seq) {
    return new Shape(batch(), 1, seq, length + seq);
  }

  /** Causal over each row's real positions; a padding position sees itself only. */
  private boolean[] mask(int seq) {
    int keys = length + seq;
    boolean[] allowed = new boolean[batch() * seq * keys];
    for (int b = 0; b < batch(); b++) {
      for (int s = 0; s < seq; s++) {
        int query = length + s;
        int row = (b * seq + s) * keys;
        for (int k = padding_B[b]; k <= query; k++) {
          allowed[row + k] = true;
        }
        allowed[row + query] = true;
      }
    }
    return allowed;
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
