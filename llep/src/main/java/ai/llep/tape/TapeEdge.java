package ai.llep.tape;

/**
 * One cut of the local autograd graph. {@link #propagate} carries the gradient of the receiving
 * leaf back to the sending tensor (through a collective when the cut was one) and continues the
 * local backward from there. Every rank propagates its edges in the same order, so collective edges
 * meet.
 */
public interface TapeEdge {
  void propagate();
}
