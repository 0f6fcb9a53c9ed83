package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.Function;

/**
 * A layer's {@link DispatchStats}, either known when the layer ran or read from the device only
 * when first asked for: a dispatch that never needs its expert counts on the host (one rank, every
 * expert grouped) keeps them on the device, so that the forward queues its layers without waiting
 * for the device, and the one copy happens when the statistics are read (after the backward, where
 * the step waits for the device anyway).
 */
public final class PendingStats {
  private DispatchStats stats;
  private NDArray counts_E;
  private Function<long[], DispatchStats> fromCounts;

  private PendingStats(
      DispatchStats stats, NDArray counts_E, Function<long[], DispatchStats> fromCounts) {
    this.stats = stats;
    this.counts_E = counts_E;
    this.fromCounts = fromCounts;
  }

  /** Statistics known already. */
  public static PendingStats of(DispatchStats stats) {
    return new PendingStats(stats, null, null);
  }

  /**
   * Statistics made by {@code fromCounts} from the per-expert counts {@code counts_E} (int64 on the
   * device), which must stay open until {@link #get} is first called.
   */
  static PendingStats fromDeviceCounts(
      NDArray counts_E, Function<long[], DispatchStats> fromCounts) {
    return new PendingStats(null, counts_E, fromCounts);
  }

  /**
   * Keeps the counts of pending statistics open as long as {@code owner} (a step's manager), for a
   * forward whose own arrays close before the statistics are read: an activation checkpoint's first
   * run, whose statistics are the layer's, closes everything it computed.
   */
  public void retainIn(NDManager owner) {
    if (stats == null && !counts_E.isReleased()) {
      counts_E.attach(owner);
    }
  }

  /** Whether the statistics are known on the host (made so, or read once). */
  boolean known() {
    return stats != null;
  }

  /** The statistics; the first call of a pending one copies the counts to the host. */
  public DispatchStats get() {
    if (stats == null) {
      if (counts_E.isReleased()) {
        throw new IllegalStateException(
            "the dispatch statistics were read after the arrays of their forward pass were closed");
      }
      stats = fromCounts.apply(counts_E.toLongArray());
      counts_E = null;
      fromCounts = null;
    }
    return stats;
  }
}
