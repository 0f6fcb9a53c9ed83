package ai.llep.trainer.train;

/**
 * This rank stops because every rank reached the same failure together (a non-finite step, a
 * refused resume) and rank 0 reports it: the process exits as one whose peer failed, leaving the
 * explanation to rank 0's error.
 */
public class StoppedWithRankZero extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoppedWithRankZero(String message) {
    super(message);
  }
}
