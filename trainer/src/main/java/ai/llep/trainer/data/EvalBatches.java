package ai.llep.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One rank's share of the eval set as the batches every evaluation runs, in order: its rows, {@code
 * batchSize} at a time. Every rank runs the same number of batches, since each MoE layer is a
 * collective: a rank with fewer rows runs, for each batch it lacks, one row of padding whose labels
 * are all ignored, which adds nothing to the loss sum or the token count.
 */
public final class EvalBatches {
  private final List<List<PackedSequence>> batches;
  private final long rows;
  private final long lossTokens;

  /**
   * @param own this rank's rows (at least one)
   * @param batchCount batches every rank runs: the most any rank's rows need
   * @param rows eval rows over all ranks
   * @param lossTokens tokens the eval loss covers, over all ranks
   */
  public EvalBatches(
      List<PackedSequence> own, int batchSize, int batchCount, long rows, long lossTokens) {
    if (own.isEmpty()) {
      throw new IllegalArgumentException("a rank needs at least one eval row");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    int needed = (own.size() + batchSize - 1) / batchSize;
    if (batchCount < needed) {
      throw new IllegalArgumentException(
          own.size() + " rows need " + needed + " batches of " + batchSize + ", not " + batchCount);
    }
    List<List<PackedSequence>> out = new ArrayList<>(batchCount);
    for (int start = 0; start < own.size(); start += batchSize) {
      out.add(List.copyOf(own.subList(start, Math.min(own.size(), start + batchSize))));
    }
    PackedSequence filler = filler(own.getFirst());
    while (out.size() < batchCount) {
      out.add(List.of(filler));
    }
    this.batches = List.copyOf(out);
    this.rows = rows;
    this.lossTokens = lossTokens;
  }

  /** The batches of one evaluation, the same count on every rank. */
  public List<List<PackedSequence>> batches() {
    return batches;
  }

  /** Eval rows over all ranks. */
  public long rows() {
    return rows;
  }

  /** Tokens the eval loss covers, over all ranks. */
  public long lossTokens() {
    return lossTokens;
  }

  /** A row as long as {@code like}, of its first token repeated, with no label. */
  private static PackedSequence filler(PackedSequence like) {
    int[] ids = new int[like.inputIds().length];
    Arrays.fill(ids, like.inputIds()[0]);
    int[] labels = new int[ids.length];
    Arrays.fill(labels, PackedSequence.IGNORE);
    return new PackedSequence(ids, labels, 0);
  }
}
