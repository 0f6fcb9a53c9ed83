package ai.llep.trainer.data;

/**
 * Sums a vector over all ranks: a collective, which every rank calls with a vector of the same
 * length.
 */
@FunctionalInterface
public interface RankSum {
  long[] sum(long[] mine);

  /** For a single process. */
  RankSum ALONE = mine -> mine.clone();
}
