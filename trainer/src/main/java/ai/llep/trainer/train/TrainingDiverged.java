package ai.llep.trainer.train;

/** The loss became NaN or infinite: training stops, keeping the last good checkpoint. */
public class TrainingDiverged extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingDiverged(String message) {
    super(message);
  }
}
