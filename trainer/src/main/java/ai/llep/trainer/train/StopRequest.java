package ai.llep.trainer.train;

import java.time.Duration;

/**
 * A request from outside (a signal) to stop training. Before {@link #arm()} a request ends the
 * process at once, since nothing would be lost; after it, the ranks finish the step in flight,
 * agree on stopping there (see {@link StepTotals}), save a checkpoint and end the tracked run as
 * killed.
 */
public interface StopRequest {
  /** Never asks to stop (tests, embedding). */
  StopRequest NEVER =
      new StopRequest() {
        @Override
        public boolean requested() {
          return false;
        }

        @Override
        public void arm() {}

        @Override
        public void expect(Duration longestStep, Duration longestSave) {}
      };

  /** Whether this process has been asked to stop. */
  boolean requested();

  /** From now on a request stops training after the current step, with a checkpoint. */
  void arm();

  /**
   * The longest step and checkpoint save so far, from which the time a stop may take is bounded (a
   * launcher waits that long before it kills the ranks).
   */
  void expect(Duration longestStep, Duration longestSave);
}
