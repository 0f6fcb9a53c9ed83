package ai.llep.dispatch;

import ai.llep.plan.Segment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides which experts of a forward run alone and which run together as one batched GEMM chain. A
 * small expert's GEMMs are too short to keep a GPU busy and cost a launch each, so native experts
 * of at most {@code batchRows} rows that are consecutive in the stack run as one batch padded to
 * the largest of them, as long as padding adds at most a quarter to the rows computed or stays
 * within one GEMM tile (padding inside a tile costs nothing: the kernel computes whole tiles).
 * Everything else (large experts, borrowed ones) runs alone.
 *
 * <p>Order: batches first, as they take few launches and start at once, so the device is busy while
 * borrowed weights are still arriving; then single experts largest first, so the longest GEMMs are
 * queued before the host spends time launching the short ones.
 */
final class ExpertBatching {
  /** Padded rows may exceed real rows by this factor at most... */
  static final double MAX_PADDING = 1.25;

  /** ...unless every expert of the batch fits in one tile of this many rows. */
  static final long TILE_ROWS = 64;

  private ExpertBatching() {}

  /**
   * @param segments the experts computed here, in grouped (expert) order
   * @param firstNative the first expert this rank owns
   * @param nativeCount how many it owns (a stack's size); 0 when its experts are not stacked
   * @param batchRows largest expert, in rows, that may join a batch; 0 turns batching off
   */
  static List<ExpertWork> plan(
      List<Segment> segments, int firstNative, int nativeCount, long batchRows) {
    List<ExpertWork> work = new ArrayList<>();
    Batch open = null;
    for (int i = 0; i < segments.size(); i++) {
      Segment segment = segments.get(i);
      int local = segment.expert() - firstNative;
      boolean candidate =
          batchRows > 0 && local >= 0 && local < nativeCount && segment.rows() <= batchRows;
      if (!candidate) {
        close(open, segments, work);
        open = null;
        work.add(ExpertWork.single(i, segment.rows()));
        continue;
      }
      if (open != null && !open.accepts(local, segment.rows())) {
        close(open, segments, work);
        open = null;
      }
      if (open == null) {
        open = new Batch(local);
      }
      open.add(i, local, segment.rows());
    }
    close(open, segments, work);
    work.sort(
        Comparator.comparing((ExpertWork w) -> !w.batched())
            .thenComparing(Comparator.comparingLong(ExpertWork::cost).reversed()));
    return List.copyOf(work);
  }

  private static void close(Batch batch, List<Segment> segments, List<ExpertWork> work) {
    if (batch == null) {
      return;
    }
    if (batch.segments.size() == 1) {
      int only = batch.segments.getFirst();
      work.add(ExpertWork.single(only, segments.get(only).rows()));
      return;
    }
    work.add(
        new ExpertWork(
            List.copyOf(batch.segments),
            batch.firstLocal,
            batch.lastLocal - batch.firstLocal + 1,
            batch.maxRows,
            batch.rows));
  }

  private static final class Batch {
    final int firstLocal;
    final List<Integer> segments = new ArrayList<>();
    int lastLocal;
    long maxRows;
    long rows;

    Batch(int firstLocal) {
      this.firstLocal = firstLocal;
      this.lastLocal = firstLocal;
    }

    boolean accepts(int local, long segmentRows) {
      long width = local - firstLocal + 1;
      long largest = Math.max(maxRows, segmentRows);
      return largest <= TILE_ROWS || width * largest <= MAX_PADDING * (rows + segmentRows);
    }

    void add(int segment, int local, long segmentRows) {
      segments.add(segment);
      lastLocal = local;
      maxRows = Math.max(maxRows, segmentRows);
      rows += segmentRows;
    }
  }
}
