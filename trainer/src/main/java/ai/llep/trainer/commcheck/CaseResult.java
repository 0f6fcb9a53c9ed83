package ai.llep.trainer.commcheck;

/** The outcome of one correctness case of comm-check on this rank. */
record CaseResult(String operation, String dataType, String shape, boolean passed) {
  String describe() {
    return operation + " " + dataType + " " + shape;
  }
}
