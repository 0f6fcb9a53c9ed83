package ai.llep.trainer.tracking;

/** The status of a run, with the numbers MLflow's file store writes for them. */
public enum RunStatus {
  RUNNING(1),
  SCHEDULED(2),
  FINISHED(3),
  FAILED(4),
  KILLED(5);

  private final int code;

  RunStatus(int code) {
    this.code = code;
  }

  /** The number of this status in MLflow's {@code RunStatus} enumeration. */
  public int code() {
    return code;
  }

  /** The status with MLflow's number {@code code}. */
  public static RunStatus ofCode(int code) {
    for (RunStatus status : values()) {
      if (status.code == code) {
        return status;
      }
    }
    throw new IllegalArgumentException("no run status has the number " + code);
  }

  /** Whether a run with this status has ended. */
  public boolean terminal() {
    return this == FINISHED || this == FAILED || this == KILLED;
  }
}
