package ai.llep.trainer.train;

/**
 * {@code debug.sigkill-rank} and {@code debug.sigkill-step}: the rank that kills itself with
 * SIGKILL in the middle of that step, to test crash safety; rank -1 = none.
 */
public record SelfKill(int rank, int step) {
  public static final SelfKill NONE = new SelfKill(-1, -1);

  boolean at(int rank, long step) {
    return this.rank >= 0 && this.rank == rank && this.step == step;
  }
}
