package ai.llep.trainer.train;

/**
 * The loss, the gradient norm or the weights became NaN or infinite: training stops on every rank,
 * keeping the last good checkpoint, and rank 0 reports this.
 */
public class TrainingDiverged extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingDiverged(String message) {
    super(message);
  }
}
