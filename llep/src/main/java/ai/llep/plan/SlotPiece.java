package ai.llep.plan;

/**
 * A run of one source rank's local slots of one expert: slots [offset, offset + length) of the
 * source's local order of that expert go to rank {@code destination}.
 */
public record SlotPiece(int destination, long offset, long length) {
  public SlotPiece {
    if (destination < 0 || offset < 0 || length < 1) {
      throw new IllegalArgumentException(
          "slot piece needs destination >= 0, offset >= 0, length >= 1, got "
              + destination
              + ", "
              + offset
              + ", "
              + length);
    }
  }
}
