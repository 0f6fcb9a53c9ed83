package ai.llep.dispatch;

import java.util.List;

/**
 * One GEMM chain of a forward: the rows of one expert ({@code localCount == 0}), or a batch of
 * consecutive native experts {@code [firstLocal, firstLocal + localCount)} of a stack, each padded
 * to {@code paddedRows} rows (an expert of the range without rows is all padding).
 *
 * @param segments the segments computed, in grouped order
 * @param rows their real rows in all
 */
record ExpertWork(
    List<Integer> segments, int firstLocal, int localCount, long paddedRows, long rows) {
  static ExpertWork single(int segment, long rows) {
    return new ExpertWork(List.of(segment), -1, 0, rows, rows);
  }

  boolean batched() {
    return localCount > 0;
  }

  /** Rows the GEMMs process, padding included: what orders the work, largest first. */
  long cost() {
    return batched() ? paddedRows * localCount : rows;
  }
}
