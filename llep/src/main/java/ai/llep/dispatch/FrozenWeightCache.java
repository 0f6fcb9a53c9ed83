package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Borrowed frozen expert tensors ({@link ExpertFunction#frozen}, a LoRA expert's base weights) that
 * helper ranks keep across steps, so that an expert lent to the same helper again moves only its
 * trainable tensors. One cache per rank for all MoE layers of a model, within a budget of bytes per
 * rank; the least recently used entries are evicted to make room, and an expert larger than the
 * budget is not kept.
 *
 * <p>Every rank keeps the same directory of what every rank holds and updates it in the same order
 * (the plans' transfer order, layer after layer, identical on every rank), so an owner knows
 * without a message whether its helper still holds an expert, and sends its frozen tensors only if
 * not. Only a helper holds the tensors themselves. An evicted tensor may still be in use by the
 * current step (its backward reads the weights for the input gradient), so it is handed to that
 * step's manager, which frees it when the step ends.
 *
 * <p>Frozen tensors never change, so a kept copy stays exact; a cache must not be used for tensors
 * that train.
 */
public final class FrozenWeightCache implements AutoCloseable {
  private final long budgetBytes;
  private final NDManager manager;

  /** Per rank: (layer, expert) to bytes, in access order (least recent first). */
  private final Map<Integer, LinkedHashMap<Key, Long>> directory = new HashMap<>();

  private final Map<Integer, Long> usedBytes = new HashMap<>();
  private final Map<Key, List<NDArray>> held = new HashMap<>();

  private record Key(int layer, int expert) {}

  /**
   * @param budgetBytes the most bytes of frozen tensors each rank keeps; must be positive
   * @param parent a sub-manager of it owns the kept tensors
   */
  public FrozenWeightCache(long budgetBytes, NDManager parent) {
    if (budgetBytes < 1) {
      throw new IllegalArgumentException(
          "a weight cache needs a budget >= 1 byte, got " + budgetBytes);
    }
    this.budgetBytes = budgetBytes;
    this.manager = parent.newSubManager();
  }

  /** The view of MoE layer {@code layer}. */
  public Layer layer(int layer) {
    return new Layer(layer);
  }

  /** Bytes of tensors this rank holds now. */
  public synchronized long heldBytes(int rank) {
    return usedBytes.getOrDefault(rank, 0L);
  }

  public long budgetBytes() {
    return budgetBytes;
  }

  /**
   * Whether {@code helper} holds (layer, expert): a hit, marked most recently used. On a miss, the
   * directory records that {@code helper} keeps it, evicting its least recently used entries,
   * unless it is larger than the budget. {@code self} is this rank; tensors it evicts go to {@code
   * step}.
   */
  synchronized boolean admit(int self, int helper, Key key, long bytes, NDManager step) {
    LinkedHashMap<Key, Long> entries =
        directory.computeIfAbsent(helper, r -> new LinkedHashMap<>(16, 0.75f, true));
    if (entries.get(key) != null) {
      return true;
    }
    if (bytes > budgetBytes) {
      return false;
    }
    long used = usedBytes.getOrDefault(helper, 0L);
    Iterator<Map.Entry<Key, Long>> oldest = entries.entrySet().iterator();
    while (used + bytes > budgetBytes && oldest.hasNext()) {
      Map.Entry<Key, Long> evicted = oldest.next();
      used -= evicted.getValue();
      oldest.remove();
      if (helper == self) {
        List<NDArray> tensors = held.remove(evicted.getKey());
        if (tensors != null) {
          tensors.forEach(t -> t.attach(step));
        }
      }
    }
    entries.put(key, bytes);
    usedBytes.put(helper, used + bytes);
    return false;
  }

  private synchronized List<NDArray> tensors(Key key) {
    List<NDArray> tensors = held.get(key);
    if (tensors == null) {
      throw new IllegalStateException(
          "the weight cache lists layer "
              + key.layer()
              + " expert "
              + key.expert()
              + " as kept here, but holds no tensors for it");
    }
    return tensors;
  }

  private synchronized void keep(int self, Key key, List<NDArray> tensors) {
    LinkedHashMap<Key, Long> entries = directory.get(self);
    if (entries == null || !entries.containsKey(key) || held.containsKey(key)) {
      return;
    }
    List<NDArray> kept = new ArrayList<>(tensors);
    kept.forEach(t -> t.attach(manager));
    held.put(key, List.copyOf(kept));
  }

  @Override
  public synchronized void close() {
    held.clear();
    directory.clear();
    usedBytes.clear();
    manager.close();
  }

  /** The cache as one MoE layer's dispatcher uses it. */
  public final class Layer {
    private final int layer;

    private Layer(int layer) {
      this.layer = layer;
    }

    boolean admit(int self, int helper, int expert, long bytes, NDManager step) {
      return FrozenWeightCache.this.admit(self, helper, new Key(layer, expert), bytes, step);
    }

    List<NDArray> tensors(int expert) {
      return FrozenWeightCache.this.tensors(new Key(layer, expert));
    }

    void keep(int self, int expert, List<NDArray> tensors) {
      FrozenWeightCache.this.keep(self, new Key(layer, expert), tensors);
    }
  }
}
