package ai.llep.comm.tcp;

/** The operations whose messages travel between ranks, as named in error messages. */
enum OpKind {
  ALL_GATHER("all-gather"),
  ALL_REDUCE("all-reduce"),
  ALL_TO_ALL_V("all-to-all-v"),
  SEND_RECV("send-recv"),
  BROADCAST("broadcast"),
  BARRIER("barrier");

  private final String label;

  OpKind(String label) {
    this.label = label;
  }

  byte code() {
    return (byte) (ordinal() + 1);
  }

  /** The kind with this wire code, or null. */
  static OpKind fromCode(byte code) {
    int index = code - 1;
    return index >= 0 && index < values().length ? values()[index] : null;
  }

  @Override
  public String toString() {
    return label;
  }
}
