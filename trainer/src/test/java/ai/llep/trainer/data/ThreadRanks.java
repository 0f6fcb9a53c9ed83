package ai.llep.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Ranks as threads of one JVM, whose {@link RankSum} adds their vectors in memory. */
final class ThreadRanks {
  /** What one rank runs, given its rank and the collective sum. */
  interface Call<T> {
    T run(int rank, RankSum sum) throws Exception;
  }

  private ThreadRanks() {}

  /**
   * Runs {@code call} on {@code ranks} threads, each summing once, and returns each rank's outcome,
   * all finished.
   */
  static <T> List<Future<T>> run(int ranks, Call<T> call) {
    long[][] vectors = new long[ranks][];
    CyclicBarrier barrier = new CyclicBarrier(ranks);
    List<Future<T>> outcomes = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(ranks)) {
      for (int r = 0; r < ranks; r++) {
        int rank = r;
        RankSum sum =
            local -> {
              vectors[rank] = local;
              try {
                barrier.await();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              long[] total = new long[local.length];
              for (long[] v : vectors) {
                for (int i = 0; i < total.length; i++) {
                  total[i] += v[i];
                }
              }
              return total;
            };
        outcomes.add(pool.submit(() -> call.run(rank, sum)));
      }
    }
    return outcomes;
  }
}
