package ai.llep.trainer.train;

/**
 * A step (or the checkpoint after it) produced a NaN or infinite value: the loss, the gradient
 * norm, the weights after the optimizer step or a tensor about to be saved. Every rank throws it at
 * the same point; the training loop turns it into the run's one error, naming the last good
 * checkpoint.
 */
final class NonFiniteStep extends RuntimeException {
  private static final long serialVersionUID = 1L;

  NonFiniteStep(String message) {
    super(message);
  }
}
