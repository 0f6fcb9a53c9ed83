package ai.llep.plan;

/**
 * The owner of expert {@code expert} sends its weights to {@code helper} before the expert
 * computation; in backward the helper sends the weights' gradient back to the owner.
 */
public record WeightTransfer(int expert, int owner, int helper) {
  public WeightTransfer {
    if (expert < 0) {
      throw new IllegalArgumentException("transfer expert must be >= 0, got " + expert);
    }
    if (owner < 0 || helper < 0) {
      throw new IllegalArgumentException(
          "transfer ranks must be >= 0, got owner " + owner + " and helper " + helper);
    }
    if (owner == helper) {
      throw new IllegalArgumentException(
          "transfer of expert " + expert + " from rank " + owner + " to itself");
    }
  }
}
