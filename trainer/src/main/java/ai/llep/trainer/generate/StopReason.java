package ai.llep.trainer.generate;

/** Why a completion ended, as the output file names it. */
public enum StopReason {
  /**
   * The model produced a token that ends generation (its EOS, or a chat template's end of turn).
   */
  EOS("eos"),
  /** The completion's text reached one of {@code generate.stop}. */
  STOP_STRING("stop_string"),
  /** {@code generate.max-new-tokens} tokens were generated. */
  MAX_NEW_TOKENS("max_new_tokens");

  private final String label;

  StopReason(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
